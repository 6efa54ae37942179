import { describe, expect, it } from 'vitest';
import { BundleMap, category, summariseProfile } from '../src/load/profile.ts';
import { runPool } from '../src/pool.ts';
import { formatResult, passed, percentile, table } from '../src/report.ts';

describe('report', () => {
  it('percentile is the nearest-rank value', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('aligns table columns and marks failed checks', () => {
    expect(
      table([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toBe('a    bb\nccc  d');
    const r = {
      harness: 'load' as const,
      mode: 'quick' as const,
      startedAt: '',
      durationMs: 1000,
      figures: [{ name: 'p99', value: 12.345, unit: 'ms' }],
      checks: [{ name: 'x', ok: false, detail: 'why' }],
    };
    expect(passed(r)).toBe(false);
    expect(formatResult(r)).toContain('FAIL');
    expect(formatResult(r)).toContain('12.3');
  });
});

describe('pool', () => {
  it('never runs more than the concurrency at once and stops when told', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    await runPool(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 1));
        running--;
        done++;
      },
      () => done >= 20,
    );
    expect(peak).toBe(4);
    expect(done).toBeLessThan(50);
  });
});

describe('CPU profile summary', () => {
  it('attributes self time to packages and functions', () => {
    expect(category('file:///w/node_modules/.pnpm/koa@3.0.0/node_modules/koa/lib/application.js', 'f')).toBe('koa');
    expect(category('file:///w/node_modules/.pnpm/@koa+router@15/node_modules/@koa/router/lib/x.js', 'f')).toBe('@koa/router');
    expect(category('file:///w/apps/idp/src/app.ts', 'f')).toBe('apps/idp');
    expect(category('node:internal/crypto', 'f')).toBe('node internals');
    expect(category('', '(garbage collector)')).toBe('(garbage collector)');
    const s = summariseProfile({
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: 0 } },
        { id: 2, callFrame: { functionName: 'sign', url: 'file:///w/node_modules/jose/x.js', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: '(idle)', url: '', lineNumber: 0 } },
      ],
      samples: [2, 2, 2, 3],
      timeDeltas: [1000, 1000, 1000, 1000],
      startTime: 0,
      endTime: 4000,
    });
    // Idle is not work: the percentages are of the time the threads worked.
    expect(s.totalMs).toBe(3);
    expect(s.byPackage[0]).toEqual({ name: 'jose', ms: 3, percent: 100 });
    expect(s.byFunction[0]?.name).toBe('sign jose/x.js:10');
    expect(s.byModule[0]).toEqual({ name: 'jose/x.js', ms: 3, percent: 100 });
  });

  it('sums the profiles of every thread', () => {
    const thread = (fn: string, url: string, us: number) => ({
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: 0 } },
        { id: 2, callFrame: { functionName: fn, url, lineNumber: 0 } },
      ],
      samples: [2],
      timeDeltas: [us],
      startTime: 0,
      endTime: us,
    });
    const s = summariseProfile([
      thread('a', 'file:///w/apps/idp/src/x.ts', 3000),
      thread('b', 'file:///w/apps/mcp-server/src/y.ts', 1000),
      thread('c', 'file:///w/apps/idp/src/z.ts', 1000),
    ]);
    expect(s.totalMs).toBe(5);
    expect(s.byPackage).toEqual([
      { name: 'apps/idp', ms: 4, percent: 80 },
      { name: 'apps/mcp-server', ms: 1, percent: 20 },
    ]);
  });

  it('maps the lines of an esbuild bundle back to the module and package they came from', () => {
    const map = new BundleMap(
      [
        '// banner',
        '// node_modules/.pnpm/koa@3.0.0/node_modules/koa/lib/application.js',
        'var a = 1;',
        '',
        '// apps/idp/src/audit.ts',
        'class AuditLog {}',
      ].join('\n'),
    );
    expect(map.moduleAt(0)).toBeUndefined();
    expect(map.moduleAt(2)).toBe('node_modules/.pnpm/koa@3.0.0/node_modules/koa/lib/application.js');
    expect(map.moduleAt(5)).toBe('apps/idp/src/audit.ts');
  });
});

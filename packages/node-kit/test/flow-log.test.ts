import type { FlowEvent } from '@xaa/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => vi.useRealTimers());

import { FlowLog } from '../src/flow-log.ts';

const input = (n: number) => ({ traceId: 'a'.repeat(32), party: 'idp', step: 'exchange.issued', outcome: 'ok', summary: `event ${n}` }) as const;

describe('FlowLog ring (docs/decisions.md §5)', () => {
  it('keeps at most its capacity, oldest dropped first, whatever the number of emits', () => {
    const log = new FlowLog({ capacity: 5 });
    for (let i = 0; i < 23; i++) {
      log.emit(input(i));
      const kept = log.recent({ limit: 100 }).map((e) => e.summary);
      expect(kept).toEqual(Array.from({ length: Math.min(5, i + 1) }, (_, k) => `event ${i - Math.min(5, i + 1) + 1 + k}`));
    }
  });

  it('answers `after` and `limit` within the kept window only', () => {
    const log = new FlowLog({ capacity: 3 });
    const ids = Array.from({ length: 8 }, (_, i) => log.emit(input(i)).id);
    expect(log.recent({ after: ids[1] }).map((e) => e.summary)).toEqual(['event 5', 'event 6', 'event 7']);
    expect(log.recent({ after: ids[5] }).map((e) => e.summary)).toEqual(['event 6', 'event 7']);
    expect(log.recent({ limit: 1 }).map((e) => e.summary)).toEqual(['event 7']);
  });

  it('gives each event a unique id, in the order emitted, and the time its id was made', () => {
    const log = new FlowLog({ capacity: 5000 });
    const events = Array.from({ length: 3000 }, (_, i) => log.emit(input(i)));
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const e of events) expect(Date.parse(e.time)).toBe(Number.parseInt(e.id.split('-')[0] as string, 36));
  });

  it('in redact mode keeps only signature-stripped tokens, also in memory', () => {
    const saved: FlowEvent[] = [];
    const log = new FlowLog({ redact: true, persist: (e) => saved.push(e) });
    const e = log.emit({
      ...input(1),
      tokens: [
        { role: 'id_jag', header: {}, claims: { sub: 'a' }, hash: 'h', compact: 'a.b.c' },
        { role: 'saml', header: {}, claims: {}, hash: 'h2' },
      ],
    });
    expect(e.tokens?.map((t) => t.compact)).toEqual(['a.b.', undefined]);
    expect(e.tokens?.[0]?.claims).toEqual({ sub: 'a' });
    expect(saved[0]?.tokens?.map((t) => t.compact)).toEqual([undefined, undefined]);
  });

  it('persists a copy without usable tokens, and a failing persist does not fail the emit', () => {
    const saved: unknown[] = [];
    const log = new FlowLog({ persist: (e) => saved.push(e) });
    const e = log.emit({ ...input(1), tokens: [{ role: 'id-jag', header: {}, claims: {}, hash: 'h', compact: 'a.b.c' }] });
    expect(e.tokens?.[0]?.compact).toBe('a.b.c');
    expect(JSON.stringify(saved)).not.toContain('a.b.c');
    const failing = new FlowLog({
      persist: () => {
        throw new Error('disk full');
      },
    });
    expect(() => failing.emit(input(2))).not.toThrow();
  });

  it('stamps each event with the current time, also when many events share a millisecond', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const log = new FlowLog();
    const t0 = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    vi.setSystemTime(t0);
    const [a, b] = [log.emit(input(1)), log.emit(input(2))];
    expect([a.time, b.time]).toEqual([new Date(t0).toISOString(), new Date(t0).toISOString()]);
    expect(a.id.split('-')[0]).toBe(t0.toString(36).padStart(9, '0'));
    expect(a.id < b.id).toBe(true);
    vi.setSystemTime(t0 + 1);
    const c = log.emit(input(3));
    expect(c.time).toBe(new Date(t0 + 1).toISOString());
    expect(c.id.split('-')[0]).toBe((t0 + 1).toString(36).padStart(9, '0'));
    vi.setSystemTime(t0 + 3_600_000);
    expect(log.emit(input(4)).time).toBe(new Date(t0 + 3_600_000).toISOString());
    expect(log.emit({ ...input(5), time: '2020-01-01T00:00:00.000Z' }).time).toBe('2020-01-01T00:00:00.000Z');
  });
});

import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt, needsBuild } from '../../src/server/spa.ts';

// A private output directory: never touch the dist/ a running console may be serving.
const outDir = mkdtempSync(join(tmpdir(), 'console-dist-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('SPA build on start', () => {
  it('builds when the output is missing or older than the sources, and not otherwise', async () => {
    expect(needsBuild(outDir)).toBe(true);
    await ensureBuilt({ quiet: true, outDir });
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
    expect(needsBuild(outDir)).toBe(false);
    // An old build (older than every source) is stale.
    const old = new Date(Date.UTC(2001, 0, 1));
    utimesSync(join(outDir, 'index.html'), old, old);
    expect(needsBuild(outDir)).toBe(true);
    await ensureBuilt({ quiet: true, outDir });
    expect(needsBuild(outDir)).toBe(false);
  }, 60_000);
});

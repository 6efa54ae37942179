import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST, ensureBuilt, needsBuild } from '../../src/server/spa.ts';

describe('SPA build on start', () => {
  it('builds dist/ when it is missing or older than the sources, and not otherwise', async () => {
    await ensureBuilt({ quiet: true });
    expect(existsSync(join(DIST, 'index.html'))).toBe(true);
    expect(needsBuild()).toBe(false);
    // An old build (older than every source): dist/ is stale.
    const old = new Date(Date.UTC(2001, 0, 1));
    utimesSync(join(DIST, 'index.html'), old, old);
    expect(needsBuild()).toBe(true);
    await ensureBuilt({ quiet: true });
    expect(needsBuild()).toBe(false);
  }, 60_000);
});

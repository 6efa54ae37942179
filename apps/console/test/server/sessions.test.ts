import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionStore, sameToken } from '../../src/server/sessions.ts';

let dir: string | undefined;
afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

describe('SessionStore (console.db)', () => {
  it('keys rows by a hash of the cookie value, never the value itself', () => {
    dir = mkdtempSync(join(tmpdir(), 'console-sessions-'));
    const store = new SessionStore(join(dir, 'console.db'));
    const { id } = store.create({ user: { sub: 's', username: 'carol' } }, 60);
    const rows = store.db.prepare('SELECT key FROM sessions').all() as Array<{ key: string }>;
    expect(rows.map((r) => r.key)).not.toContain(id);
    expect(store.get(id)?.data.user?.username).toBe('carol');
    store.close();
  });

  it('expires sessions (frozen clock) and survives a reopen', () => {
    dir = mkdtempSync(join(tmpdir(), 'console-sessions-'));
    let now = 1000;
    const path = join(dir, 'console.db');
    const store = new SessionStore(path, () => now);
    const { id } = store.create({}, 60);
    store.close();
    const again = new SessionStore(path, () => now);
    expect(again.get(id)).toBeDefined();
    now = 1061;
    expect(again.get(id)).toBeUndefined();
    expect(again.purgeExpired()).toBe(0);
    again.close();
  });

  it('compares CSRF tokens safely', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('abc', undefined)).toBe(false);
    expect(sameToken('', '')).toBe(false);
  });
});

/** The SQLite Adapter (oidc-provider storage contract): find/upsert, expiry, lookups, atomic consume, revokeByGrantId. */
import { openDatabase } from '@xaa/node-kit';
import { pruneExpired, SqliteAdapter } from '@xaa/node-kit/oidc-host';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/schema.ts';

const setup = () => {
  let now = 1_800_000_000_000;
  const db = openDatabase(':memory:', migrations);
  const clock = (ms?: number) => {
    if (ms !== undefined) now = ms;
    return now;
  };
  return { db, clock, adapter: (model: string) => new SqliteAdapter(model, { db, nowSeconds: () => Math.floor(now / 1000), accountColumn: true }) };
};

describe('SqliteAdapter', () => {
  it('stores, finds by id, uid and userCode, and forgets expired rows', async () => {
    const { adapter, clock, db } = setup();
    const sessions = adapter('Session');
    await sessions.upsert('s1', { uid: 'u1', accountId: 'acc', kind: 'Session' }, 10);
    expect(await sessions.find('s1')).toMatchObject({ uid: 'u1', accountId: 'acc' });
    expect(await sessions.findByUid('u1')).toMatchObject({ uid: 'u1' });
    await adapter('DeviceCode').upsert('d1', { userCode: 'ABCD' }, 10);
    expect(await adapter('DeviceCode').findByUserCode('ABCD')).toBeTruthy();
    // Models are separate namespaces.
    expect(await adapter('Grant').find('s1')).toBeUndefined();
    clock(clock() + 11_000);
    expect(await sessions.find('s1')).toBeUndefined();
    expect(pruneExpired(db, Math.floor(clock() / 1000))).toBe(2);
  });

  it('consume marks once and keeps the first timestamp', async () => {
    const { adapter, clock } = setup();
    const codes = adapter('AuthorizationCode');
    await codes.upsert('c1', { grantId: 'g1' }, 60);
    await codes.consume('c1');
    const first = (await codes.find('c1'))?.consumed;
    expect(first).toBe(Math.floor(clock() / 1000));
    clock(clock() + 5000);
    await codes.consume('c1');
    expect((await codes.find('c1'))?.consumed).toBe(first);
  });

  it('revokeByGrantId removes only that grant’s rows of that model', async () => {
    const { adapter } = setup();
    const at = adapter('AccessToken');
    await at.upsert('a1', { grantId: 'g1' }, 60);
    await at.upsert('a2', { grantId: 'g2' }, 60);
    await at.revokeByGrantId('g1');
    expect(await at.find('a1')).toBeUndefined();
    expect(await at.find('a2')).toBeTruthy();
    await at.destroy('a2');
    expect(await at.find('a2')).toBeUndefined();
  });
});

/**
 * Subject resolution at redemption (draft-04 §3.1, §6.3): an unknown (`iss`, `sub`) is linked to an
 * existing local user by email only when the IdP says the email is verified (OIDC Core §5.1) and that
 * user came from the same IdP; otherwise a new user (JIT) or a refusal. Real stores on a real SQLite
 * file; the runtime carries only what mapSubject reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, openDatabase } from '@xaa/node-kit';
import type { IdJagClaims } from '@xaa/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mapSubject } from '../../src/as/redeem/map-subject.ts';
import type { ServerRuntime } from '../../src/context.ts';
import { migrations } from '../../src/db/schema.ts';
import { SettingsStore } from '../../src/db/settings.ts';
import { UserStore } from '../../src/db/users.ts';

const IDP = 'http://localhost:4000';
const OTHER = 'http://127.0.0.1:9999';

let dir: string;
let db: Db;
let rt: ServerRuntime;
let users: UserStore;
let alice: ReturnType<UserStore['create']>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'map-subject-'));
  db = openDatabase(join(dir, 'resource.db'), migrations);
  users = new UserStore(db, 'tasks', () => 1000);
  const settings = new SettingsStore(db, 'tasks');
  rt = { users, settings, createUser: (input: Parameters<UserStore['create']>[0]) => users.create(input) } as unknown as ServerRuntime;
  alice = users.create({ username: 'alice', email: 'alice@acme.test', name: 'Alice', source: 'seed', issuer: IDP });
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const claims = (over: Partial<IdJagClaims>): IdJagClaims =>
  ({ iss: IDP, sub: 'idp-alice', aud: 'x', client_id: 'c', jti: 'j', iat: 1, exp: 2, email: 'alice@acme.test', email_verified: true, ...over }) as IdJagClaims;

describe('mapSubject account linking (draft-04 §6.3)', () => {
  it('links a new subject of the same IdP with a verified email (case-insensitive) to the existing user', () => {
    const r = mapSubject(rt, claims({ email: 'Alice@ACME.test' }));
    expect(r).toMatchObject({ ok: true, provisioned: 'linked', user: { id: alice.id } });
    expect(mapSubject(rt, claims({}))).toMatchObject({ ok: true, provisioned: 'existing', user: { id: alice.id } });
  });

  it.each([
    ['email_verified absent', { email_verified: undefined }],
    ['email_verified false', { email_verified: false }],
    ['email_verified the string "true"', { email_verified: 'true' as unknown as boolean }],
    ['another trusted IdP asserting the same verified email', { iss: OTHER }],
  ] as Array<[string, Partial<IdJagClaims>]>)('%s: a new user, never the existing one', (_label, over) => {
    const r = mapSubject(rt, claims({ sub: 'someone-else', ...over }));
    expect(r.ok && r.provisioned).toBe('created');
    expect(r.ok && r.user.id).not.toBe(alice.id);
    expect(r.ok && r.user.issuer).toBe(over.iss ?? IDP);
    expect(users.findByIdentity(over.iss ?? IDP, 'someone-else')?.id).not.toBe(alice.id);
  });

  it('a second subject of the same IdP with the same verified email (a recycled address) is not linked to the first one’s user', () => {
    expect(mapSubject(rt, claims({}))).toMatchObject({ provisioned: 'linked', user: { id: alice.id } });
    const r = mapSubject(rt, claims({ sub: 'new-hire-with-recycled-address' }));
    expect(r.ok && r.provisioned).toBe('created');
    expect(r.ok && r.user.id).not.toBe(alice.id);
  });

  it('a local-only user (no IdP) is never linked by email', () => {
    const local = users.create({ username: 'bob', email: 'bob@acme.test', source: 'admin' });
    const r = mapSubject(rt, claims({ sub: 'idp-bob', email: 'bob@acme.test' }));
    expect(r.ok && r.user.id).not.toBe(local.id);
  });

  it('without JIT provisioning an unknown subject is refused, linkable or not; a known one still maps', () => {
    mapSubject(rt, claims({}));
    rt.settings.update({ jit_provisioning: false });
    expect(mapSubject(rt, claims({ sub: 'unknown', email: 'x@acme.test' }))).toMatchObject({ ok: false });
    expect(mapSubject(rt, claims({}))).toMatchObject({ ok: true, provisioned: 'existing', user: { id: alice.id } });
  });
});

describe('schema migration 2 (users.issuer) on an existing database', () => {
  it('gives seeded users the server’s first trusted IdP and linked users the issuer of their subject', () => {
    const path = join(dir, 'old.db');
    const old = openDatabase(path, migrations.slice(0, 1));
    old.exec(`
      INSERT INTO trusted_issuers VALUES ('tasks', '${IDP}', '${IDP}/jwks', '["ES256"]', 1, 1, 1);
      INSERT INTO trusted_issuers VALUES ('tasks', '${OTHER}', '${OTHER}/jwks', '["ES256"]', 1, 5, 5);
      INSERT INTO users VALUES ('tasks', 'u-seed', 'carol', 'carol@acme.test', 'Carol', 'seed', 1);
      INSERT INTO users VALUES ('tasks', 'u-jit', 'tess', 'tess@acme.test', 'Tess', 'jit', 6);
      INSERT INTO identities VALUES ('tasks', '${OTHER}', 'tess-sub', 'u-jit', 6);
      INSERT INTO users VALUES ('wiki', 'u-wiki', 'carol', 'carol@acme.test', 'Carol', 'seed', 1);
    `);
    old.close();
    const upgraded = openDatabase(path, migrations);
    const rows = upgraded.prepare('SELECT server, id, issuer FROM users ORDER BY server, id').all();
    expect(rows).toEqual([
      { server: 'tasks', id: 'u-jit', issuer: OTHER },
      { server: 'tasks', id: 'u-seed', issuer: IDP },
      { server: 'wiki', id: 'u-wiki', issuer: null },
    ]);
    upgraded.close();
  });
});

/**
 * A user's email is unique at the IdP, compared case-insensitively: a sample AS links accounts by a
 * verified email (draft-04 §6.3), so one address must name one person. The admin API refuses a
 * duplicate with 409 conflict; the database refuses one too (triggers), and an existing database
 * that already holds a duplicate still opens.
 */
import { migrate, openDatabase } from '@xaa/node-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStore, EmailTakenError } from '../../src/db/directory.ts';
import { migrations } from '../../src/db/schema.ts';
import { startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

const newUser = (username: string, email: string) => ({ username, email, name: username, password: 'pw-123456' });

describe('admin API: emails are unique, ignoring case', () => {
  it.each(['alice@acme.test', 'Alice@ACME.test', 'ALICE@acme.TEST'])('POST /admin/users with %s (alice’s) → 409 conflict', async (email) => {
    const r = await t.admin('POST', '/admin/users', newUser('mallory', email));
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect(r.body).toMatchObject({ error: 'conflict' });
    expect(r.body.error_description).toMatch(/email/);
    expect((await t.admin('GET', '/admin/users/mallory')).status).toBe(404);
  });

  it('PATCH to another user’s email in other case → 409, nothing changed; a new address or a case change of one’s own is fine', async () => {
    const r = await t.admin('PATCH', '/admin/users/bob', { email: 'Alice@Acme.Test' });
    expect(r.status, JSON.stringify(r.body)).toBe(409);
    expect((await t.admin('GET', '/admin/users/bob')).body.email).toBe('bob@acme.test');
    expect((await t.admin('PATCH', '/admin/users/bob', { email: 'Bob@Acme.test' })).status).toBe(200);
    expect((await t.admin('PATCH', '/admin/users/bob', { email: 'bob@acme.test' })).status).toBe(200);
    const created = await t.admin('POST', '/admin/users', newUser('erin', 'erin@acme.test'));
    expect(created.status).toBe(201);
  });
});

describe('directory and schema', () => {
  it('the store refuses a duplicate with a typed error, and plain SQL is refused by the database', () => {
    const db = openDatabase(':memory:', migrations);
    const dir = new DirectoryStore(db);
    dir.createUser({ username: 'a', email: 'a@x.test', name: 'A', password_hash: 'h' });
    const b = dir.createUser({ username: 'b', email: 'b@x.test', name: 'B', password_hash: 'h' });
    expect(() => dir.createUser({ username: 'c', email: 'A@X.test', name: 'C', password_hash: 'h' })).toThrow(EmailTakenError);
    expect(() => dir.updateUser(b.id, { email: 'a@X.TEST' })).toThrow(EmailTakenError);
    expect(() =>
      db.prepare("INSERT INTO users (id, username, email, name, password_hash, created_at, updated_at) VALUES ('z', 'z', 'A@x.test', 'Z', 'h', 0, 0)").run(),
    ).toThrow(/ERR_EMAIL_TAKEN/);
    expect(() => db.prepare("UPDATE users SET email = 'a@x.TEST' WHERE id = ?").run(b.id)).toThrow(/ERR_EMAIL_TAKEN/);
    db.close();
  });

  it('a database from before the rule, holding two users with one address, still opens and keeps both', () => {
    const db = openDatabase(':memory:', migrations.slice(0, 2));
    db.exec(`INSERT INTO users (id, username, email, name, password_hash, created_at, updated_at) VALUES
      ('1', 'one', 'dup@x.test', 'One', 'h', 0, 0), ('2', 'two', 'DUP@x.test', 'Two', 'h', 0, 0)`);
    migrate(db, migrations);
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare('SELECT COUNT(*) AS n FROM users').get()).toEqual({ n: 2 });
    expect(() => db.prepare("UPDATE users SET name = 'Uno' WHERE id = '1'").run()).not.toThrow();
    db.close();
  });
});

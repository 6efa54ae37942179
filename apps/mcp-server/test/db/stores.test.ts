/**
 * The in-memory views of the user and client stores (db/users.ts, db/clients.ts): reads are served
 * from memory, and every write through the store — a new link, a removed user (its links go with it),
 * a changed or removed client, a new registration — is visible to the very next read.
 */
import { openDatabase } from '@xaa/node-kit';
import { describe, expect, it } from 'vitest';
import { ClientStore } from '../../src/db/clients.ts';
import { migrations } from '../../src/db/schema.ts';
import { UserStore } from '../../src/db/users.ts';

const ISS = 'https://idp.example';
const now = () => 1_700_000_000;

function stores() {
  const db = openDatabase(':memory:', migrations);
  return { db, users: new UserStore(db, 'tasks', now), clients: new ClientStore(db, 'tasks', now) };
}

describe('UserStore view', () => {
  it('serves a repeated lookup from memory', () => {
    const { db, users } = stores();
    const alice = users.create({ username: 'alice', email: 'alice@acme.test', source: 'seed', issuer: ISS });
    users.link(ISS, 'sub-alice', alice.id);
    const first = users.findByIdentity(ISS, 'sub-alice');
    expect(first?.username).toBe('alice');
    // A row changed behind the store's back (never done by the app) is not re-read: the view answers.
    db.prepare("UPDATE users SET name = 'Changed' WHERE server = 'tasks' AND id = ?").run(alice.id);
    expect(users.findByIdentity(ISS, 'sub-alice')).toBe(first);
    expect(users.get(alice.id)?.name).toBe('Changed');
    expect(users.get(alice.id)).toBe(users.get(alice.id));
  });

  it('a removed user is unknown at once, by id and by every linked subject', () => {
    const { users } = stores();
    const alice = users.create({ username: 'alice', source: 'seed', issuer: ISS });
    users.link(ISS, 'sub-alice', alice.id);
    expect(users.findByIdentity(ISS, 'sub-alice')?.id).toBe(alice.id);
    expect(users.get(alice.id)?.id).toBe(alice.id);
    expect(users.remove(alice.id)).toBe(true);
    expect(users.findByIdentity(ISS, 'sub-alice')).toBeUndefined();
    expect(users.get(alice.id)).toBeUndefined();
  });

  it('a subject linked later is found, and a new user with a removed user’s subject maps to the new user', () => {
    const { users } = stores();
    expect(users.findByIdentity(ISS, 'sub-bob')).toBeUndefined();
    const bob = users.create({ username: 'bob', source: 'jit', issuer: ISS });
    users.link(ISS, 'sub-bob', bob.id);
    expect(users.findByIdentity(ISS, 'sub-bob')?.id).toBe(bob.id);
    users.remove(bob.id);
    const bob2 = users.create({ username: 'bob', source: 'jit', issuer: ISS });
    users.link(ISS, 'sub-bob', bob2.id);
    expect(users.findByIdentity(ISS, 'sub-bob')?.id).toBe(bob2.id);
  });

  it('keeps nothing read inside a transaction that rolls back', () => {
    const { db, users } = stores();
    expect(() =>
      db.transaction(() => {
        const carol = users.create({ username: 'carol', source: 'jit', issuer: ISS });
        users.link(ISS, 'sub-carol', carol.id);
        expect(users.findByIdentity(ISS, 'sub-carol')?.username).toBe('carol');
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(users.findByIdentity(ISS, 'sub-carol')).toBeUndefined();
  });
});

describe('ClientStore view', () => {
  const metadata = (name: string) => ({ client_id: 'acme', client_secret: 's', client_name: name });

  it('serves a repeated lookup from memory and sees every change made through the store', () => {
    const { db, clients } = stores();
    expect(clients.get('acme')).toBeUndefined();
    clients.put('acme', metadata('Acme'), 'admin');
    const first = clients.get('acme');
    expect(first?.metadata.client_name).toBe('Acme');
    db.prepare("UPDATE clients SET source = 'dcr' WHERE server = 'tasks'").run();
    expect(clients.get('acme')).toBe(first);
    clients.put('acme', metadata('Acme Agent'), 'admin');
    expect(clients.get('acme')?.metadata.client_name).toBe('Acme Agent');
    expect(clients.remove('acme')).toBe(true);
    expect(clients.get('acme')).toBeUndefined();
  });

  it('keeps nothing read inside a transaction that rolls back', () => {
    const { db, clients } = stores();
    expect(() =>
      db.transaction(() => {
        clients.put('acme', metadata('Acme'), 'seed');
        expect(clients.get('acme')?.metadata.client_name).toBe('Acme');
        throw new Error('roll back');
      })(),
    ).toThrow('roll back');
    expect(clients.get('acme')).toBeUndefined();
  });
});

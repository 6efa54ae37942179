/**
 * The directory answers the token-exchange reads from memory; any write through the connection —
 * a store method, a seed/wipe, plain SQL — must be visible to the very next read (an admin's
 * disable or policy edit applies to the next exchange, docs/decisions.md §4).
 */
import { openDatabase, writeGeneration } from '@xaa/node-kit';
import { defaultTopology } from '@xaa/topology';
import { beforeEach, describe, expect, it } from 'vitest';
import { DirectoryStore, type ServerRecord } from '../../src/db/directory.ts';
import { migrations } from '../../src/db/schema.ts';
import { getSetting, persistentSecret, setSetting } from '../../src/db/settings.ts';
import { seed, seededUserId, wipe } from '../../src/seed.ts';

const topology = defaultTopology({ dataDir: '/nonexistent' });
let db: ReturnType<typeof openDatabase>;
let directory: DirectoryStore;

beforeEach(async () => {
  db = openDatabase(':memory:', migrations);
  directory = new DirectoryStore(db);
  await seed(directory, topology);
});

describe('directory read cache', () => {
  it('a write by any route is seen by the next read', () => {
    const alice = seededUserId('alice');
    expect(directory.getUser(alice)?.disabled).toBe(false);
    directory.updateUser(alice, { disabled: true });
    expect(directory.getUser(alice)?.disabled).toBe(true);
    db.prepare('UPDATE users SET disabled = 0 WHERE id = ?').run(alice);
    expect(directory.getUser(alice)?.disabled).toBe(false);

    const client = directory.listApps().find((a) => a.kind === 'app')?.client_id as string;
    const before = directory.policyConnections(client).length;
    expect(before).toBeGreaterThan(0);
    db.prepare('DELETE FROM connections WHERE client_id = ?').run(client);
    expect(directory.policyConnections(client)).toHaveLength(0);

    const server = directory.listServers()[0]?.name as string;
    expect(directory.getServer(server)?.pairwise_subject).toBe(false);
    db.prepare('UPDATE servers SET pairwise_subject = 1 WHERE name = ?').run(server);
    expect(directory.getServer(server)?.pairwise_subject).toBe(true);
    directory.upsertServer({ ...(directory.getServer(server) as ServerRecord), pairwise_subject: false });
    expect(directory.getServer(server)?.pairwise_subject).toBe(false);

    const issuer = directory.getServer(server)?.issuer as string;
    expect(
      directory
        .policyDirectory()
        .servers()
        .map((s) => s.issuer),
    ).toContain(issuer);
    db.prepare('UPDATE servers SET xaa = 0 WHERE name = ?').run(server);
    expect(
      directory
        .policyDirectory()
        .servers()
        .map((s) => s.issuer),
    ).not.toContain(issuer);
    db.prepare('UPDATE servers SET xaa = 1 WHERE name = ?').run(server);
    expect(
      directory
        .policyDirectory()
        .servers()
        .map((s) => s.issuer),
    ).toContain(issuer);
    expect(directory.policyDirectory().user(alice)?.disabled).toBe(false);
    directory.updateUser(alice, { disabled: true });
    expect(directory.policyDirectory().user(alice)?.disabled).toBe(true);

    expect(directory.listServers().length).toBeGreaterThan(0);
    wipe(db);
    expect(directory.policyDirectory().servers()).toEqual([]);
    expect(directory.getServer(server)).toBeUndefined();
    expect(directory.listServers()).toEqual([]);
    expect(directory.getApp(client)).toBeUndefined();
  });

  it('a second store on the same connection sees the first one’s writes', () => {
    const other = new DirectoryStore(db);
    const alice = seededUserId('alice');
    expect(other.getUser(alice)?.groups).toContain('engineering');
    directory.updateUser(alice, { groups: ['sales'] });
    expect(other.getUser(alice)?.groups).toEqual(['sales']);
  });

  it('hands out frozen records, so no caller can change what the next one reads', () => {
    const groups = directory.getUser(seededUserId('alice'))?.groups ?? [];
    expect(groups).toContain('engineering');
    expect(() => groups.push('admins')).toThrow(TypeError);
    expect(directory.getUser(seededUserId('alice'))?.groups ?? []).not.toContain('admins');
  });

  it('keeps a persistent secret stable, and a written setting replaces the one in memory', () => {
    const first = persistentSecret(db, 'pairwise_secret');
    expect(persistentSecret(db, 'pairwise_secret')).toBe(first);
    expect(getSetting(db, 'pairwise_secret')).toBe(first);
    setSetting(db, 'pairwise_secret', 'replaced');
    expect(persistentSecret(db, 'pairwise_secret')).toBe('replaced');
    // Another connection to another file has its own secrets.
    const other = openDatabase(':memory:', migrations);
    expect(persistentSecret(other, 'pairwise_secret')).not.toBe('replaced');
  });

  it('reads move no generation; writes do', () => {
    const g = writeGeneration(db);
    directory.listServers();
    directory.getUser(seededUserId('bob'));
    expect(writeGeneration(db)).toBe(g);
    directory.upsertGroup({ name: 'ops', title: 'Ops' });
    expect(writeGeneration(db)).toBeGreaterThan(g);
  });
});

/** Seeding from the topology happens once; reset wipes and reseeds, keeping the signing keys. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resetIdp, seededUserId, start } from '../../src/index.ts';
import { startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

it('seeds users, groups, apps (with per-AS client ids), console and ops clients, servers and connections', () => {
  const d = t.idp.directory;
  expect(d.listUsers().map((u) => [u.username, u.groups, u.admin])).toEqual([
    ['alice', ['engineering'], false],
    ['bob', ['contractors'], false],
    ['carol', ['it'], true],
    ['dave', ['sales'], false],
  ]);
  expect(d.getUser(seededUserId('alice'))?.email).toBe('alice@acme.test');
  expect(d.getApp('acme-agent')?.registrations).toMatchObject({ tasks: 'acme-agent-at-tasks', docs: 'acme-agent-at-docs' });
  expect(d.getApp('shadow-agent')?.token_exchange).toBe(true);
  expect(d.getApp('xaa-console')?.kind).toBe('console');
  expect(d.getApp('ops')?.kind).toBe('ops');
  expect(d.listServers().find((s) => s.name === 'wiki')?.xaa).toBe(false);
  expect(
    d
      .listConnections()
      .map((c) => c.id)
      .sort(),
  ).toEqual(['conn_acme-agent_docs', 'conn_acme-agent_tasks', 'conn_acme-chat_docs', 'conn_acme-desktop_docs', 'conn_acme-desktop_tasks']);
});

it('reset() wipes changes and reseeds; keys survive', async () => {
  const kid = t.idp.keys.current()?.kid;
  expect((await t.admin('DELETE', '/admin/connections/conn_acme-chat_docs')).status).toBe(204);
  await t.idp.reset();
  expect(t.idp.directory.getConnection('conn_acme-chat_docs')).toBeTruthy();
  expect(t.idp.keys.current()?.kid).toBe(kid);
});

it('resetIdp() works on a stopped IdP and start() does not reseed a non-empty database', async () => {
  const { dataDir, topology } = t;
  await t.idp.close();
  await resetIdp({ topology, dataDir });
  const again = await start({ topology, dataDir, port: 0, quiet: true });
  try {
    expect(again.directory.listUsers()).toHaveLength(4);
  } finally {
    await again.close();
  }
});

/** Pairwise subjects per AS (draft-04 §3.1: `sub` as the IdP would name the user to that AS; OIDC Core §8.1). */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seededUserId } from '../../src/index.ts';
import { serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

it('a server set to pairwise gets a stable per-AS sub; others keep the stable user id', async () => {
  const tasks = serverOf(t.topology, 'tasks');
  const docs = serverOf(t.topology, 'docs');
  expect((await t.admin('PATCH', '/admin/servers/tasks', { pairwise_subject: true })).status).toBe(200);
  const alice = await t.login('alice');
  const sub = async (audience: string) =>
    decodeJwt(String((await t.exchange('acme-agent', { subject_token: alice.id_token, audience })).body.access_token)).sub;
  const first = await sub(tasks.issuer);
  expect(first).not.toBe(seededUserId('alice'));
  expect(await sub(tasks.issuer)).toBe(first);
  expect(await sub(docs.issuer)).toBe(seededUserId('alice'));
});

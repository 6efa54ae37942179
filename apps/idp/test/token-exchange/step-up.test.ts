/**
 * Step-up (draft-04 §9.2, EMA §7.2.1): a connection can require a recent sign-in. An older one gets
 * `insufficient_user_authentication` with `max_age`; after signing in again the exchange succeeds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventsSince, lastEventId, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

it('refuses an old sign-in with insufficient_user_authentication + max_age, and accepts a fresh one', async () => {
  const tasks = serverOf(t.topology, 'tasks');
  const set = await t.admin('PATCH', '/admin/connections/conn_acme-agent_tasks', { max_auth_age: 3 });
  expect(set.status).toBe(200);
  expect(set.body.max_auth_age).toBe(3);

  const old = await t.login('alice');
  await new Promise((r) => setTimeout(r, 4200));
  const mark = lastEventId(t.idp);
  const r = await t.exchange('acme-agent', { subject_token: old.id_token, audience: tasks.issuer });
  expect(r.status).toBe(400);
  expect(r.body).toMatchObject({ error: 'insufficient_user_authentication', max_age: 3 });
  expect(r.headers.get('cache-control')).toContain('no-store');
  expect(eventsSince(t.idp, mark, 'exchange.decision').at(-1)?.decision?.rule).toBe('connection:conn_acme-agent_tasks:auth_age');
  // The same sign-in still reaches a connection without the requirement.
  expect((await t.exchange('acme-agent', { subject_token: old.id_token, audience: serverOf(t.topology, 'docs').issuer })).status).toBe(200);

  const fresh = await t.login('alice');
  expect((await t.exchange('acme-agent', { subject_token: fresh.id_token, audience: tasks.issuer })).status).toBe(200);

  // The simulator and effective access show the requirement.
  const sim = await t.admin('POST', '/admin/simulate', { user: 'alice', app: 'acme-agent', server: 'tasks', auth_age: 3600 });
  expect(sim.body.error).toMatchObject({ error: 'insufficient_user_authentication', max_age: 3 });
  const access = await t.admin('GET', '/admin/users/alice/effective-access');
  expect((access.body.access as Array<{ server: string; max_auth_age: number | null }>).find((a) => a.server === 'tasks')?.max_auth_age).toBe(3);

  expect((await t.admin('PATCH', '/admin/connections/conn_acme-agent_tasks', { max_auth_age: null })).body.max_auth_age).toBeNull();
  expect((await t.exchange('acme-agent', { subject_token: old.id_token, audience: tasks.issuer })).status).toBe(200);
});

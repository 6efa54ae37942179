/** An expired subject token is invalid_grant (draft-04 §4.3.3): the IdP's clock is injected and moved on. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventsSince, lastEventId, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let offset = 0;
let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp({ now: () => Date.now() + offset });
});
afterAll(async () => t?.close());

it('refuses an ID token past its exp (plus skew), naming the check', async () => {
  const tasks = serverOf(t.topology, 'tasks');
  const alice = await t.login('alice');
  expect((await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer })).status).toBe(200);
  offset = 2 * 3600 * 1000;
  const mark = lastEventId(t.idp);
  const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer });
  expect(r.status).toBe(400);
  expect(r.body.error).toBe('invalid_grant');
  expect(eventsSince(t.idp, mark, 'exchange.decision').at(-1)?.decision?.rule).toBe('verify-subject-token:ERR_SUBJECT_EXPIRED');
});

/**
 * Account linking over HTTP (draft-04 §6.3): the real IdP's ID-JAG (which asserts `email_verified`)
 * reaches the seeded user of that IdP; another trusted IdP asserting the same verified email gets a
 * new local user, never the seeded one's data.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';
import { startTestIssuer, type TestIssuer } from '../support/test-issuer.ts';

let stack: Stack;
let ti: TestIssuer;

beforeAll(async () => {
  stack = await startStack();
  const tasks = stack.server('tasks');
  ti = await startTestIssuer({ aud: tasks.issuer, client_id: 'acme-agent-at-tasks', resource: tasks.resource, scope: 'tasks.read' });
  const r = await stack.admin('tasks', 'POST', '/admin/trusted-issuers', { issuer: ti.issuer, jwks_uri: ti.jwksUri, algorithms: ['ES256'] });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await ti?.close();
  await stack?.close();
});

async function seededAlice(): Promise<string> {
  const users = await stack.admin('tasks', 'GET', '/admin/users');
  return (users.body.users as Array<{ id: string; username: string; source: string }>).find((u) => u.username === 'alice' && u.source === 'seed')?.id as string;
}

describe('account linking by verified email within one IdP (draft-04 §6.3)', () => {
  it('another trusted IdP asserting alice’s verified email gets a new local user, not alice', async () => {
    const aliceId = await seededAlice();
    const r = await stack.redeem('tasks', await ti.mint({ sub: 'mallory', email: 'alice@acme.test', email_verified: true }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const sub = decodeJwt(r.body.access_token).sub;
    expect(sub).not.toBe(aliceId);
  });

  it('the real IdP’s ID-JAG carries email_verified and reaches the seeded alice', async () => {
    const aliceId = await seededAlice();
    const jag = await stack.idJag(await stack.idToken('alice'), 'tasks');
    expect(decodeJwt(jag)).toMatchObject({ email: 'alice@acme.test', email_verified: true });
    const r = await stack.redeem('tasks', jag);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(decodeJwt(r.body.access_token).sub).toBe(aliceId);
  });
});

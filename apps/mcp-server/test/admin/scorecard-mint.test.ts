/**
 * The IdP's scorecard mint endpoint signs with the IdP's real key, so nothing it signs may be
 * accepted by the playground itself. Every token it will mint — across typ spellings of ID tokens and
 * access tokens (RFC 9068 §2.1, OIDC Core §2, RFC 7515 §4.1.9), audiences that are the IdP, its apps
 * or an admin API, and the admin scope — is fed to the IdP's token exchange as a subject token (RFC
 * 8693 §2.1) by every IdP app, and to every admin API as a bearer token: all refused.
 */
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, form, type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
let idpAdminToken: string;
beforeAll(async () => {
  stack = await startStack();
  const r = await form(
    `${stack.topology.idp.issuer}/token`,
    { grant_type: 'client_credentials', resource: stack.topology.idp.admin, scope: 'xaa:admin' },
    basic('ops', stack.topology.ops.client_secret),
  );
  idpAdminToken = r.body.access_token as string;
});
afterAll(async () => {
  await stack?.close();
});

const TYPS = [undefined, null, 'JWT', 'jwt', 'application/jwt', 'Application/JWT', 'at+jwt', 'AT+JWT', 'application/at+jwt', 'logout+jwt'];

describe('scorecard mint: nothing it signs is accepted by the playground itself', () => {
  it('mints only what the token exchange and every admin API refuse', async () => {
    const t = stack.topology;
    const tasks = stack.server('tasks');
    const idpApps = [...t.clients.map((c) => c.idp.client_id), t.console.client.client_id, 'ops'];
    const adminApis = [t.idp.admin, ...t.servers.map((s) => s.admin)];
    const audiences = [
      tasks.issuer,
      t.idp.issuer,
      `${t.idp.issuer}/`,
      ...adminApis,
      ...adminApis.map((a) => `${a}/`),
      ...adminApis.map((a) => a.replace('/admin', '/ADMIN')),
      t.agent.admin,
      t.console.admin,
      ...idpApps,
    ];
    const minted: string[] = [];
    let refused = 0;
    for (const typ of TYPS)
      for (const aud of audiences) {
        const set: Record<string, unknown> = { aud, scope: 'xaa:admin', azp: aud };
        const mutation = { ...(typ === undefined ? {} : { typ }), set };
        const r = await fetch(`${t.idp.issuer}/admin/scorecard/mint`, {
          method: 'POST',
          headers: { authorization: `Bearer ${idpAdminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ audience: tasks.issuer, client_id: 'acme-agent-at-tasks', resource: tasks.resource, user: 'carol', mutation }),
        });
        const body = (await r.json()) as { assertion?: string; error?: string };
        if (r.status === 201 && body.assertion) minted.push(body.assertion);
        else {
          expect(r.status, JSON.stringify(body)).toBe(400);
          refused++;
        }
      }
    // A bounded exp: far-future expiry is refused.
    const far = await fetch(`${t.idp.issuer}/admin/scorecard/mint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${idpAdminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ audience: tasks.issuer, client_id: 'acme-agent-at-tasks', user: 'alice', mutation: { set: { exp: 4_102_444_800 } } }),
    });
    expect(far.status).toBe(400);
    expect(refused).toBeGreaterThan(0);
    expect(minted.length).toBeGreaterThan(0);

    for (const token of minted) {
      expect(decodeJwt(token).exp as number).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600 + 5);
      for (const c of [...t.clients.map((x) => x.idp), t.console.client]) {
        if (!c.client_secret) continue;
        const r = await form(
          `${t.idp.issuer}/token`,
          {
            grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
            requested_token_type: TOKEN_TYPE_ID_JAG,
            audience: tasks.issuer,
            resource: tasks.resource,
            subject_token: token,
            subject_token_type: TOKEN_TYPE_ID_TOKEN,
          },
          basic(c.client_id, c.client_secret),
        );
        expect(r.status, `${c.client_id}: ${JSON.stringify(r.body)}`).toBeGreaterThanOrEqual(400);
        expect(r.body.access_token).toBeUndefined();
      }
      for (const api of adminApis) {
        const path = api === t.idp.admin ? '/users' : '/settings';
        const r = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(r.status, `${api}${path}`).toBe(401);
      }
    }
  });
});

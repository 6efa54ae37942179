/**
 * Admin tokens across the playground (RFC 9068; docs/contracts.md "Admin APIs"): only the console's
 * and the ops client's tokens are accepted, none older than the maximum age, and removing a user's
 * admin role ends their admin tokens, their console session and every event stream they opened at
 * once — not at `exp`. An event stream also ends when the token that opened it expires.
 *
 * The forged tokens are signed with the IdP's own current key (read from idp.db): everything about
 * them is right except the one claim under test, as a token from a misbehaving IdP component would be.
 */
import { join } from 'node:path';
import type { Db } from '@xaa/node-kit';
import { GRANT_TYPE_CLIENT_CREDENTIALS } from '@xaa/protocol';
import { type Stack, startStack } from '@xaa/testkit';
import type { Topology } from '@xaa/topology';
import { CookieJar, driveLogin, ssoLogin } from '@xaa/user-agent';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground } from '../../src/playground.ts';

const parts = { pg: ({ dataDir, basePort }: { dataDir: string; basePort: number }) => startPlayground({ dataDir, basePort, quiet: true }) };
let stack: Stack<typeof parts>;
let t: Topology;

beforeAll(async () => {
  stack = await startStack({ tmpPrefix: 'xaa-admin-tokens-', parts });
  t = stack.pg.topology;
}, 90_000);
afterAll(async () => {
  await stack?.close();
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function opsToken(resource: string): Promise<string> {
  const res = await fetch(`${t.idp.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(t.ops.client_id, t.ops.client_secret) },
    body: new URLSearchParams({ grant_type: GRANT_TYPE_CLIENT_CREDENTIALS, resource, scope: 'xaa:admin' }),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`ops token: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** The token's header and claims, with `changes`, signed with the IdP's key of the same kid. */
async function resign(token: string, changes: Record<string, unknown>): Promise<string> {
  const header = decodeProtectedHeader(token);
  // better-sqlite3 (typed through node-kit's Db): the IdP's database, read only.
  const Database = (await import('better-sqlite3' as string)).default as new (path: string, options: { readonly: boolean }) => Db;
  const db = new Database(join(stack.dataDir, 'idp.db'), { readonly: true });
  const row = db.prepare('SELECT private_jwk, alg FROM keys WHERE kid = ?').get(header.kid) as { private_jwk: string; alg: string };
  db.close();
  const key = await importJWK(JSON.parse(row.private_jwk) as JWK, row.alg);
  return new SignJWT({ ...decodeJwt(token), ...changes }).setProtectedHeader(header as never).sign(key);
}

const adminApis = () => [
  { name: 'IdP', base: t.idp.admin, path: '/users' },
  { name: 'Tasks', base: (t.servers.find((s) => s.name === 'tasks') as Topology['servers'][number]).admin, path: '/settings' },
  { name: 'agent', base: t.agent.admin, path: '/agent/status' },
];
const get = (url: string, token: string) => fetch(url, { headers: { authorization: `Bearer ${token}` } });
const now = () => Math.floor(Date.now() / 1000);

/** Read an event stream until `pattern` shows up or it ends; bounded by `ms`. */
async function readStream(res: Response, pattern: RegExp, ms: number): Promise<{ text: string; ended: boolean }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([reader.read(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), deadline - Date.now()))]);
      if (chunk === 'timeout') return { text, ended: false };
      if (chunk.done) return { text, ended: true };
      text += decoder.decode(chunk.value, { stream: true });
      if (pattern.test(text)) {
        const rest = await Promise.race([reader.read(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 1000))]);
        return { text, ended: rest !== 'timeout' && rest.done };
      }
    }
    return { text, ended: false };
  } finally {
    await reader.cancel().catch(() => {});
  }
}

describe('admin tokens', () => {
  it('a re-signed ops token with nothing changed is accepted (control)', async () => {
    for (const api of adminApis()) expect((await get(`${api.base}${api.path}`, await resign(await opsToken(api.base), {}))).status, api.name).toBe(200);
  });

  it('a token with the admin scope for another client is refused (RFC 9068 §2.2 client_id) at every admin API', async () => {
    for (const api of adminApis()) {
      const forged = await resign(await opsToken(api.base), { client_id: 'acme-agent', sub: 'acme-agent' });
      const res = await get(`${api.base}${api.path}`, forged);
      expect(res.status, api.name).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
    }
  });

  it('a token older than the maximum age is refused even when its exp is still ahead', async () => {
    for (const api of adminApis()) {
      const old = await resign(await opsToken(api.base), { iat: now() - 3600, exp: now() + 600 });
      expect((await get(`${api.base}${api.path}`, old)).status, api.name).toBe(401);
    }
  });

  it('an event stream ends when the token that opened it expires', async () => {
    const tasks = adminApis()[1] as { base: string };
    const short = await resign(await opsToken(tasks.base), { iat: now(), exp: now() + 3 });
    const res = await get(`${tasks.base}/events/stream`, short);
    expect(res.status).toBe(200);
    const r = await readStream(res, /event: end/, 10_000);
    expect(r.text).toMatch(/event: end\ndata: .*expired/);
    expect(r.ended).toBe(true);
  }, 20_000);
});

describe("removing a user's admin role", () => {
  it('ends their admin tokens, their console session and their event streams at once', async () => {
    const carol = { username: 'carol', password: 'demo' };
    const tasks = adminApis()[1] as { base: string; path: string };
    // carol's own admin tokens, from a sign-in through the console's client.
    const own = async (resource: string) =>
      (
        await ssoLogin({
          issuer: t.idp.issuer,
          clientId: t.console.client.client_id,
          clientSecret: t.console.client.client_secret,
          redirectUri: t.console.client.redirect_uris[0] as string,
          ...carol,
          scope: 'openid offline_access xaa:admin',
          resources: [resource],
          tokenResource: resource,
        })
      ).tokens.access_token;
    const idpToken = await own(t.idp.admin);
    const tasksToken = await own(tasks.base);
    expect((await get(`${t.idp.admin}/users`, idpToken)).status).toBe(200);
    expect((await get(`${tasks.base}${tasks.path}`, tasksToken)).status).toBe(200);

    // carol signs in to the console (a browser: cookies, the IdP's login form, the callback).
    const jar = new CookieJar();
    const consoleUrl = t.console.url;
    const start = await fetch(`${consoleUrl}/auth/login`, { redirect: 'manual' });
    jar.store(consoleUrl, start);
    const callback = await driveLogin(start.headers.get('location') as string, { ...carol, redirectUri: `${consoleUrl}/auth/callback`, jar });
    const back = await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(consoleUrl) } });
    jar.store(consoleUrl, back);
    const viaConsole = () => fetch(`${consoleUrl}/api/idp/users`, { headers: { cookie: jar.header(consoleUrl) } });
    expect((await viaConsole()).status).toBe(200);

    const upstream = await get(`${tasks.base}/events/stream`, tasksToken);
    expect(upstream.status).toBe(200);
    const merged = await fetch(`${consoleUrl}/api/events/stream`, { headers: { cookie: jar.header(consoleUrl), accept: 'text/event-stream' } });
    expect(merged.status).toBe(200);

    const demote = await fetch(`${t.idp.admin}/users/carol`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${await opsToken(t.idp.admin)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ admin: false }),
    });
    expect(demote.status).toBe(200);

    // At once: the very next request with each of them is refused.
    expect((await get(`${t.idp.admin}/users`, idpToken)).status).toBe(401);
    expect((await get(`${tasks.base}${tasks.path}`, tasksToken)).status).toBe(401);
    expect((await viaConsole()).status).toBe(401);
    const session = (await (await fetch(`${consoleUrl}/api/session`, { headers: { cookie: jar.header(consoleUrl) } })).json()) as { signedIn: boolean };
    expect(session.signedIn).toBe(false);

    // And the streams they opened end (within a recheck, 2 s).
    const [u, m] = await Promise.all([readStream(upstream, /event: end/, 8000), readStream(merged, /event: signed-out/, 8000)]);
    expect(u.text).toMatch(/event: end\ndata: .*no longer an admin/);
    expect(u.ended).toBe(true);
    expect(m.text).toContain('event: signed-out');
    expect(m.ended).toBe(true);
  }, 60_000);
});

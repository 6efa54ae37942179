/**
 * The console backend without the IdP: session cookie handling, CSRF (double submit), same-origin
 * only, login_required on the API, and the inspector's signature check against an issuer's JWKS
 * (served here by a small loopback issuer with real keys).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type RunningServer } from '@xaa/node-kit';
import { buildIdJagClaims, mintIdJag } from '@xaa/protocol';
import { defaultTopology } from '@xaa/topology';
import { exportJWK, generateKeyPair } from 'jose';
import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { DEFAULTS } from '../../src/server/config.ts';
import { SessionStore } from '../../src/server/sessions.ts';

let dir: string;
let sessions: SessionStore;
let server: RunningServer;
let issuerServer: Server;
let base: string;
let issuer: string;
let sign: (claims: Record<string, unknown>, kid?: string) => Promise<string>;
let signOther: (claims: Record<string, unknown>) => Promise<string>;

const spa: Middleware = async (ctx) => {
  ctx.type = 'html';
  ctx.body = '<!doctype html><div id="root"></div>';
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-bff-'));
  // A loopback issuer: metadata + JWKS, with real ES256 keys.
  const kp = await generateKeyPair('ES256');
  const other = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  issuerServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    // The IdP's admin-token status (node-kit idpAdminTokenStatus): every session token here is current.
    else if (req.url === '/admin-token/status') res.end(JSON.stringify({ active: true }));
    else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => issuerServer.listen(0, '127.0.0.1', () => r()));
  issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  sign = (claims, kid = 'k1') => mintIdJag(claims, { kid, alg: 'ES256', key: kp.privateKey });
  signOther = (claims) => mintIdJag(claims, { kid: 'k1', alg: 'ES256', key: other.privateKey });

  const t = defaultTopology({ dataDir: dir, basePort: 47000 });
  t.idp.issuer = issuer; // the inspector trusts the topology's issuers
  sessions = new SessionStore(join(dir, 'console.db'));
  const app = createApp({ topology: t, config: DEFAULTS, sessions, fetchFn: fetch, log: () => {}, spa });
  server = await listen(app.callback(), 0, '127.0.0.1', 'console-test');
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  sessions?.close();
  await new Promise((r) => issuerServer?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function signedIn() {
  const { id, session } = sessions.create({ user: { sub: 'u-carol', username: 'carol' }, refreshToken: 'rt' }, 3600);
  return { cookie: `xaa_console_sid=${id}; xaa_console_csrf=${session.csrf}`, csrf: session.csrf };
}

describe('console backend', () => {
  it('serves the SPA for client-side routes', async () => {
    const res = await fetch(`${base}/flows`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('root');
  });

  it('answers /api/session with signedIn false and no secrets when there is no session', async () => {
    const res = await fetch(`${base}/api/session`);
    expect(await res.json()).toEqual({ signedIn: false });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('returns login_required (401) on the API without a session', async () => {
    const res = await fetch(`${base}/api/idp/users`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'login_required' });
  });

  it('ignores a forged or unknown session cookie', async () => {
    const res = await fetch(`${base}/api/session`, { headers: { cookie: 'xaa_console_sid=forged' } });
    expect(await res.json()).toEqual({ signedIn: false });
  });

  it('tells the signed-in SPA who it is, its CSRF token and the public playground facts (no secrets)', async () => {
    const { cookie, csrf } = signedIn();
    const body = (await (await fetch(`${base}/api/session`, { headers: { cookie } })).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ signedIn: true, user: { username: 'carol' }, csrfToken: csrf });
    expect(JSON.stringify(body)).not.toMatch(/client_secret|refresh|rt"/);
  });

  it('refuses a mutating request without the CSRF header, or with a wrong one', async () => {
    const { cookie, csrf } = signedIn();
    const post = (headers: Record<string, string>) =>
      fetch(`${base}/api/inspect/verify`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: '{"token":"a.b.c"}' });
    expect((await post({})).status).toBe(403);
    expect((await post({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    // The header alone is not enough: the cookie must match too (double submit).
    const noCookie = await fetch(`${base}/api/inspect/verify`, {
      method: 'POST',
      headers: { cookie: cookie.split(';')[0] as string, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{"token":"a.b.c"}',
    });
    expect(noCookie.status).toBe(403);
    expect((await post({ 'x-csrf-token': csrf })).status).toBe(200);
  });

  it('refuses cross-origin API calls (CORS: only the console origin)', async () => {
    const { cookie, csrf } = signedIn();
    const res = await fetch(`${base}/api/session`, { headers: { cookie, origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    const post = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie, origin: 'http://evil.example', 'x-csrf-token': csrf } });
    expect(post.status).toBe(403);
    const same = await fetch(`${base}/api/session`, { headers: { cookie, origin: base } });
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBe(base);
  });

  it('signs out: the session row is gone and the cookies are cleared', async () => {
    const { cookie, csrf } = signedIn();
    const res = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf } });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('xaa_console_sid=;'))).toBe(true);
    expect(await (await fetch(`${base}/api/session`, { headers: { cookie } })).json()).toEqual({ signedIn: false });
  });

  it('sets the session cookie HttpOnly and SameSite=Lax when a sign-in starts (IdP down → clear 503 page)', async () => {
    const res = await fetch(`${base}/auth/login`, { redirect: 'manual' });
    // The topology's IdP (port 47000) is not running here: a readable page, not a 500.
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('The IdP is not reachable');
  });

  it('rejects a callback that was not started here', async () => {
    const res = await fetch(`${base}/auth/callback?code=x&state=y`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('No sign-in in progress');
  });

  describe('an error in the callback query is shown only for the sign-in this browser started (RFC 6749 §10.12)', () => {
    const attack = new URLSearchParams({ error: 'access_denied', error_description: 'Your account is locked: call +1 555 0100 ATTACKER' });
    const pending = () => {
      const { id } = sessions.create({ pending: { state: 'state-of-this-browser', nonce: 'n', codeVerifier: 'v', returnTo: '/' } }, 600);
      return { id, cookie: `xaa_console_sid=${id}` };
    };

    it.each([
      ['no session', undefined, undefined],
      ['no state', 'pending', undefined],
      ['another state', 'pending', 'state-of-the-attacker'],
    ])('%s: a neutral page, no attacker text, the pending sign-in kept', async (_label, withSession, state) => {
      const p = withSession ? pending() : undefined;
      const q = new URLSearchParams(attack);
      if (state) q.set('state', state);
      const res = await fetch(`${base}/auth/callback?${q}`, { headers: p ? { cookie: p.cookie } : {} });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('No sign-in in progress');
      expect(html).not.toMatch(/ATTACKER|access_denied|555 0100|locked/);
      if (p) expect(sessions.get(p.id)?.data.pending?.state).toBe('state-of-this-browser');
    });

    it('with the state of this browser the IdP error is reported (and the pending sign-in ends)', async () => {
      const p = pending();
      const q = new URLSearchParams({ error: 'server_error', error_description: 'temporarily unavailable', state: 'state-of-this-browser' });
      const res = await fetch(`${base}/auth/callback?${q}`, { headers: { cookie: p.cookie } });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('Sign-in failed');
      expect(sessions.get(p.id)).toBeUndefined();
    });
  });

  it('404s unknown API paths as JSON', async () => {
    const { cookie } = signedIn();
    const res = await fetch(`${base}/api/nope`, { headers: { cookie } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });

  it('never lets a proxied path climb out of the admin API (dot segments, encoded or not)', async () => {
    const { id } = sessions.create({ user: { sub: 'u-carol', username: 'carol' }, refreshToken: 'rt' }, 3600);
    // Sent as is (fetch and browsers would normalise the dots away first; raw clients need not).
    const raw = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: server.port, path, headers: { cookie: `xaa_console_sid=${id}` } }, (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    for (const path of ['/api/idp/%2e%2e/token', '/api/idp/%2E%2E/%2e%2e/jwks', '/api/servers/tasks/.%2e/mcp', '/api/idp/../token']) {
      const res = await raw(path);
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('reports an unreachable admin API as 502 upstream_unavailable, not a 500', async () => {
    const { id } = sessions.create(
      {
        user: { sub: 'u-carol', username: 'carol' },
        refreshToken: 'rt',
        tokens: { 'http://localhost:47000/admin': { access_token: 'x', exp: 9_999_999_999, scope: 'xaa:admin' } },
      },
      3600,
    );
    const res = await fetch(`${base}/api/idp/users`, { headers: { cookie: `xaa_console_sid=${id}` } });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'upstream_unavailable' });
  });
});

describe('the merged event stream', () => {
  it('ends (event signed-out) when the session that opened it expires', async () => {
    const { id } = sessions.create({ user: { sub: 'u-carol', username: 'carol' }, refreshToken: 'rt' }, 2);
    const res = await fetch(`${base}/api/events/stream`, { headers: { cookie: `xaa_console_sid=${id}` } });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    let ended = false;
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline && !ended) {
      const r = await Promise.race([reader.read(), new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), deadline - Date.now()))]);
      if (r === 'timeout') break;
      if (r.done) ended = true;
      else text += new TextDecoder().decode(r.value);
    }
    await reader.cancel().catch(() => {});
    expect(text).toContain('event: signed-out');
    expect(ended).toBe(true);
  }, 15_000);
});

describe('inspector signature check (through the backend)', () => {
  const claims = () => buildIdJagClaims({ issuer, subject: 'u', audience: 'http://as', clientId: 'c', ttlSeconds: 300, now: Date.now() / 1000 });
  const verify = async (token: string) => {
    const { cookie, csrf } = signedIn();
    const res = await fetch(`${base}/api/inspect/verify`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    return (await res.json()) as Record<string, unknown>;
  };

  it("verifies a token signed with the issuer's key", async () => {
    expect(await verify(await sign(claims()))).toMatchObject({ verified: true, issuer, kid: 'k1', alg: 'ES256' });
  });

  it('flags a token signed by another key with the same kid', async () => {
    expect(await verify(await signOther(claims()))).toMatchObject({ verified: false, code: 'bad_signature' });
  });

  it('flags an unknown kid', async () => {
    expect(await verify(await sign(claims(), 'nope'))).toMatchObject({ verified: false, code: 'unknown_kid' });
  });

  it('flags an issuer that is not one of the playground issuers (never fetches its keys)', async () => {
    expect(await verify(await sign({ ...claims(), iss: 'http://attacker.example' }))).toMatchObject({ verified: false, code: 'unknown_issuer' });
  });

  it('answers 400 with a fields object for a missing token', async () => {
    const { cookie, csrf } = signedIn();
    const res = await fetch(`${base}/api/inspect/verify`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', fields: { token: 'required' } });
  });

  it('flags a non-JWT as malformed', async () => {
    expect(await verify('hello')).toMatchObject({ verified: false, code: 'malformed' });
  });
});

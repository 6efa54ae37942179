/**
 * "Add a server" through the console backend, on bad input and on servers that are not ready: every
 * answer is a spec-shaped JSON error or a discovery with findings, never a 500. (The whole journey,
 * with a real IdP and their server, is e2e/specs/add-server.spec.ts.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type RunningServer } from '@xaa/node-kit';
import { defaultTopology } from '@xaa/topology';
import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/server/app.ts';
import { DEFAULTS } from '../../../src/server/config.ts';
import { SessionStore } from '../../../src/server/sessions.ts';

let dir: string;
let sessions: SessionStore;
let server: RunningServer;
let base: string;
let issuerServer: Server;
let noPrm: Server;
let noPrmUrl: string;

const spa: Middleware = async (ctx) => {
  ctx.body = 'spa';
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-add-server-'));
  // The IdP's admin-token status endpoint only (no admin API: nothing here may reach it).
  issuerServer = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/admin-token/status') res.end(JSON.stringify({ active: true }));
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => issuerServer.listen(0, '127.0.0.1', () => r()));
  // "Their" server without RFC 9728 metadata: 401 without resource_metadata, 404 at the well-known URL.
  // Also: /wrong/mcp, whose metadata names another resource; /badas/mcp, whose AS metadata names another issuer.
  noPrm = createServer((req, res) => {
    const origin = `http://127.0.0.1:${(noPrm.address() as AddressInfo).port}`;
    const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/.well-known/oauth-protected-resource/wrong/mcp') json({ resource: 'https://elsewhere.test/mcp', authorization_servers: [origin] });
    else if (req.url === '/.well-known/oauth-protected-resource/badas/mcp')
      json({ resource: `${origin}/badas/mcp`, authorization_servers: [`${origin}/badas`] });
    else if (req.url === '/.well-known/oauth-authorization-server/badas') json({ issuer: `${origin}/other`, token_endpoint: `${origin}/token` });
    else if (req.url?.startsWith('/.well-known/')) res.writeHead(404).end('not found');
    else if (req.url === '/wrong/mcp' || req.url === '/badas/mcp')
      res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource${req.url}"` }).end();
    else res.writeHead(401, { 'www-authenticate': 'Bearer realm="theirs"' }).end();
  });
  await new Promise<void>((r) => noPrm.listen(0, '127.0.0.1', () => r()));
  noPrmUrl = `http://127.0.0.1:${(noPrm.address() as AddressInfo).port}/mcp`;
  const t = defaultTopology({ dataDir: dir, basePort: 47000 });
  t.idp.issuer = `http://127.0.0.1:${(issuerServer.address() as AddressInfo).port}`;
  sessions = new SessionStore(join(dir, 'console.db'));
  const app = createApp({ topology: t, config: DEFAULTS, sessions, fetchFn: fetch, log: () => {}, spa });
  server = await listen(app.callback(), 0, '127.0.0.1', 'console-test');
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  sessions?.close();
  await new Promise((r) => issuerServer?.close(r));
  await new Promise((r) => noPrm?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function post(path: string, body: unknown, raw?: string) {
  const { id, session } = sessions.create({ user: { sub: 'u-carol', username: 'carol' }, refreshToken: 'rt' }, 3600);
  return fetch(`${base}/api/add-server/${path}`, {
    method: 'POST',
    headers: { cookie: `xaa_console_sid=${id}; xaa_console_csrf=${session.csrf}`, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
}

async function json(res: Response) {
  return (await res.json()) as Record<string, unknown> & {
    fields?: Record<string, string>;
    discovery?: { ok: boolean; findings: Array<{ id: string; status: string; fix?: string }> };
  };
}

describe('POST /api/add-server/discover', () => {
  it('400 invalid_request naming the field: no URL, not an http(s) URL, an unknown field, not JSON', async () => {
    for (const [body, raw] of [[{}], [{ url: 'javascript:alert(1)' }], [{ url: 'https://x.test/mcp', extra: 1 }], [undefined, 'not json']] as const) {
      const res = await post('discover', body, raw);
      expect(res.status).toBe(400);
      const b = await json(res);
      expect(b.error).toBe('invalid_request');
      expect(Object.keys(b.fields ?? {}).length).toBeGreaterThan(0);
    }
  });

  it('an unreachable server: 200 with the failed step and what to check', async () => {
    const b = await json(await post('discover', { url: 'http://127.0.0.1:9/mcp' }));
    expect(b.discovery?.ok).toBe(false);
    expect(b.discovery?.findings[0]).toMatchObject({ id: 'mcp.challenge', status: 'missing' });
  });

  it('no RFC 9728 metadata: the well-known URL to serve it at', async () => {
    const b = await json(await post('discover', { url: noPrmUrl }));
    const prm = b.discovery?.findings.find((f) => f.id === 'prm');
    expect(prm).toMatchObject({ status: 'missing' });
    expect(prm?.fix).toContain('/.well-known/oauth-protected-resource/mcp');
  });

  it('metadata naming another resource (RFC 9728 §3.3), or an AS whose metadata names another issuer (RFC 8414 §3.3)', async () => {
    const origin = new URL(noPrmUrl).origin;
    const wrong = await json(await post('discover', { url: `${origin}/wrong/mcp` }));
    const res = wrong.discovery?.findings.find((f) => f.id === 'prm.resource');
    expect(res).toMatchObject({ status: 'missing' });
    expect(res?.fix).toContain('https://elsewhere.test/mcp');
    const badAs = await json(await post('discover', { url: `${origin}/badas/mcp` }));
    const md = badAs.discovery?.findings.find((f) => f.id === 'as.metadata');
    expect(md).toMatchObject({ status: 'missing' });
    expect(md?.fix).toContain(`"issuer": "${origin}/badas"`);
  });
});

describe('POST /api/add-server/register and /scorecard', () => {
  it('a server that is not ready: 409 not_ready with the findings, nothing asked of the IdP', async () => {
    const res = await post('register', { url: noPrmUrl });
    expect(res.status).toBe(409);
    const b = await json(res);
    expect(b.error).toBe('not_ready');
    expect(b.discovery?.ok).toBe(false);
    const score = await post('scorecard', { url: noPrmUrl, clientId: 'c', clientSecret: 's' });
    expect(score.status).toBe(409);
  });

  it('400 with fields: bad scopes, a bad name, a missing client secret', async () => {
    const a = await json(await post('register', { url: noPrmUrl, scopes: ['has space'] }));
    expect(a.fields?.['scopes.0']).toMatch(/scope token/);
    const b = await json(await post('register', { url: noPrmUrl, name: '../x' }));
    expect(b.fields?.name).toBeTruthy();
    const c = await json(await post('scorecard', { url: noPrmUrl, clientId: 'c' }));
    expect(c.fields?.clientSecret).toBeTruthy();
  });

  it('413 for an oversized body; 405 for GET; 404 for another path', async () => {
    expect((await post('discover', undefined, JSON.stringify({ url: 'x'.repeat(20_000) }))).status).toBe(413);
    const { id } = sessions.create({ user: { sub: 'u-carol', username: 'carol' }, refreshToken: 'rt' }, 3600);
    const get = await fetch(`${base}/api/add-server/discover`, { headers: { cookie: `xaa_console_sid=${id}` } });
    expect(get.status).toBe(405);
    expect((await post('elsewhere', {})).status).toBe(404);
  });

  it('without a session: 403 for a POST (no CSRF token), 401 login_required otherwise', async () => {
    const res = await fetch(`${base}/api/add-server/discover`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
    const get = await fetch(`${base}/api/add-server/discover`);
    expect(get.status).toBe(401);
    expect((await get.json()).error).toBe('login_required');
  });
});

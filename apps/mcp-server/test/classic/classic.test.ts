/**
 * The classic path ("before XAA", the only one on Wiki): authorization code + PKCE S256 with the AS's
 * own login and a consent screen, RFC 7591 registration, Client ID Metadata Documents, refresh-token
 * rotation with reuse detection (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2), RFC 7009, RFC 7662.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize } from '../support/classic.ts';
import { rawMcp } from '../support/mcp.ts';
import { basic, form, type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
let docServer: Server;
let docBase: string;
const docs = new Map<string, { status?: number; body: string; headers?: Record<string, string> }>();

beforeAll(async () => {
  stack = await startStack({ idp: false });
  docServer = createServer((req, res) => {
    const d = docs.get(req.url ?? '');
    if (!d) return res.writeHead(404).end();
    res.writeHead(d.status ?? 200, { 'content-type': 'application/json', ...d.headers });
    res.end(d.body);
  });
  await new Promise<void>((r) => docServer.listen(0, '127.0.0.1', r));
  docBase = `http://127.0.0.1:${(docServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => docServer?.close(r));
  await stack?.close();
});

const REDIRECT = 'http://127.0.0.1:9/callback';
const alice = { username: 'alice', password: 'demo' };

async function register(issuer: string, metadata: Record<string, unknown>) {
  const res = await fetch(`${issuer}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function redeemCode(issuer: string, run: Awaited<ReturnType<typeof authorize>>, clientId: string, resource: string, verifier = run.verifier) {
  return form(`${issuer}/token`, {
    grant_type: 'authorization_code',
    code: run.callback.searchParams.get('code') ?? '',
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    client_id: clientId,
    resource,
  });
}

describe('DCR + code + PKCE + consent (Wiki)', () => {
  it('a dynamically registered public client gets a consent screen, a code, and a working access token', async () => {
    const wiki = stack.server('wiki');
    const reg = await register(wiki.issuer, {
      client_name: 'Coding <Agent> & "Co"',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    });
    expect(reg.status).toBe(201);
    const clientId = reg.body.client_id as string;
    const mark = stack.mcp.flowLogs.wiki!.recent({ limit: 1 })[0]?.id;
    const run = await authorize(wiki.issuer, { client_id: clientId, redirect_uri: REDIRECT, scope: 'wiki.read wiki.write', resource: wiki.resource }, alice);
    // The consent screen names the client (escaped) and each scope.
    const consent = run.pages.find((p) => p.html.includes('/consent'));
    expect(consent?.html).toContain('Coding &#60;Agent&#62; &#38; &#34;Co&#34;');
    expect(consent?.html).not.toContain('<Agent>');
    expect(consent?.html).toContain('wiki.read');
    expect(consent?.html).toContain('wiki.write');
    expect(run.callback.searchParams.get('iss')).toBe(wiki.issuer);
    const events = stack.mcp.flowLogs.wiki!.recent({ after: mark });
    expect(events.filter((e) => e.step === 'classic.consent' && e.data?.action === 'shown')).toHaveLength(1);
    expect(events.some((e) => e.step === 'classic.authorize' && e.outcome === 'ok')).toBe(true);

    const tok = await redeemCode(wiki.issuer, run, clientId, wiki.resource);
    expect(tok.status, JSON.stringify(tok.body)).toBe(200);
    expect(tok.body.refresh_token).toBeTruthy();
    expect(decodeJwt(tok.body.access_token)).toMatchObject({ iss: wiki.issuer, aud: wiki.resource, client_id: clientId, scope: 'wiki.read wiki.write' });
    const call = await rawMcp(wiki.resource, tok.body.access_token, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'search_wiki', arguments: { query: 'VPN' } },
    });
    expect(call.status).toBe(200);
    expect(call.body.result.content[0].text).toContain('alice via Coding <Agent> & "Co"');
    expect(stack.mcp.flowLogs.wiki!.recent({ after: mark }).some((e) => e.step === 'classic.token' && e.outcome === 'ok')).toBe(true);
  });

  it('PKCE is required, and a wrong verifier fails (RFC 7636 §4.6)', async () => {
    const wiki = stack.server('wiki');
    const reg = await register(wiki.issuer, {
      client_name: 'P',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
    });
    const noPkce = await authorize(wiki.issuer, { client_id: reg.body.client_id as string, redirect_uri: REDIRECT, scope: 'wiki.read', pkce: false }, alice);
    expect(noPkce.callback.searchParams.get('error')).toBe('invalid_request');
    const run = await authorize(wiki.issuer, { client_id: reg.body.client_id as string, redirect_uri: REDIRECT, scope: 'wiki.read' }, alice);
    const bad = await redeemCode(wiki.issuer, run, reg.body.client_id as string, wiki.resource, 'x'.repeat(43));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_grant');
  });

  it('a denied consent returns access_denied; a wrong password stays on the login page', async () => {
    const wiki = stack.server('wiki');
    const reg = await register(wiki.issuer, {
      client_name: 'D',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
    });
    const denied = await authorize(
      wiki.issuer,
      { client_id: reg.body.client_id as string, redirect_uri: REDIRECT, scope: 'wiki.read' },
      { ...alice, consent: 'deny' },
    );
    expect(denied.callback.searchParams.get('error')).toBe('access_denied');
    await expect(
      authorize(wiki.issuer, { client_id: reg.body.client_id as string, redirect_uri: REDIRECT, scope: 'wiki.read' }, { username: 'alice', password: 'nope' }),
    ).rejects.toThrow(/401/);
  });
});

describe('refresh-token rotation and reuse detection', () => {
  async function session() {
    const wiki = stack.server('wiki');
    const reg = await register(wiki.issuer, {
      client_name: 'R',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    const clientId = reg.body.client_id as string;
    const run = await authorize(wiki.issuer, { client_id: clientId, redirect_uri: REDIRECT, scope: 'wiki.read' }, alice);
    const tok = await redeemCode(wiki.issuer, run, clientId, wiki.resource);
    expect(tok.status).toBe(200);
    const refresh = (rt: string) => form(`${wiki.issuer}/token`, { grant_type: 'refresh_token', refresh_token: rt, client_id: clientId });
    return { clientId, rt: tok.body.refresh_token as string, refresh };
  }

  it('each refresh rotates; presenting a used refresh token revokes the whole family', async () => {
    const { rt, refresh } = await session();
    const r1 = await refresh(rt);
    expect(r1.status).toBe(200);
    expect(r1.body.refresh_token).not.toBe(rt);
    const reuse = await refresh(rt);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toBe('invalid_grant');
    const after = await refresh(r1.body.refresh_token);
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');
  });

  it('two concurrent refreshes of one token: exactly one wins, and the family is revoked', async () => {
    const { rt, refresh } = await session();
    const results = await Promise.all([refresh(rt), refresh(rt)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
    const loser = results.find((r) => r.status === 400)!;
    expect(loser.body.error).toBe('invalid_grant');
    const winner = results.find((r) => r.status === 200)!;
    expect((await refresh(winner.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('RFC 7009 revocation and RFC 7662 introspection (confidential seeded client)', async () => {
    const wiki = stack.server('wiki');
    const reg = stack.registration('acme-agent', 'wiki');
    const redirect = `${stack.topology.agent.url}/callback`;
    const run = await authorize(wiki.issuer, { client_id: reg.client_id, redirect_uri: redirect, scope: 'wiki.read' }, alice).catch((e) => {
      throw e;
    });
    const tok = await form(
      `${wiki.issuer}/token`,
      { grant_type: 'authorization_code', code: run.callback.searchParams.get('code') ?? '', redirect_uri: redirect, code_verifier: run.verifier },
      basic(reg.client_id, reg.client_secret),
    );
    expect(tok.status, JSON.stringify(tok.body)).toBe(200);
    const intro = await form(`${wiki.issuer}/introspect`, { token: tok.body.refresh_token }, basic(reg.client_id, reg.client_secret));
    expect(intro.body).toMatchObject({ active: true, client_id: reg.client_id, scope: 'wiki.read' });
    const rev = await form(
      `${wiki.issuer}/revoke`,
      { token: tok.body.refresh_token, token_type_hint: 'refresh_token' },
      basic(reg.client_id, reg.client_secret),
    );
    expect(rev.status).toBe(200);
    expect((await form(`${wiki.issuer}/introspect`, { token: tok.body.refresh_token }, basic(reg.client_id, reg.client_secret))).body).toEqual({
      active: false,
    });
    const refresh = await form(
      `${wiki.issuer}/token`,
      { grant_type: 'refresh_token', refresh_token: tok.body.refresh_token },
      basic(reg.client_id, reg.client_secret),
    );
    expect(refresh.body.error).toBe('invalid_grant');
  });
});

describe('Client ID Metadata Documents', () => {
  it('a client whose id is its metadata URL signs in without registration', async () => {
    const docsSrv = stack.server('docs');
    const id = `${docBase}/agent.json`;
    docs.set('/agent.json', { body: JSON.stringify({ client_id: id, client_name: 'CIMD Agent', redirect_uris: [REDIRECT] }) });
    const run = await authorize(docsSrv.issuer, { client_id: id, redirect_uri: REDIRECT, scope: 'docs.read', resource: docsSrv.resource }, alice);
    expect(run.pages.some((p) => p.html.includes('CIMD Agent'))).toBe(true);
    const tok = await redeemCode(docsSrv.issuer, run, id, docsSrv.resource);
    expect(tok.status, JSON.stringify(tok.body)).toBe(200);
    const call = await rawMcp(docsSrv.resource, tok.body.access_token, {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'search_docs', arguments: { query: 'runbook' } },
    });
    expect(call.body.result.content[0].text).toContain('alice via CIMD Agent');
  });

  const bad: Array<[string, { status?: number; body: string; headers?: Record<string, string> }, RegExp]> = [
    [
      'mismatching client_id',
      { body: JSON.stringify({ client_id: 'https://other.example/x.json', client_name: 'X', redirect_uris: [REDIRECT] }) },
      /does not equal/,
    ],
    ['missing client_name', { body: JSON.stringify({ client_id: '__ID__', redirect_uris: [REDIRECT] }) }, /client_name/],
    ['a redirect', { status: 302, body: '', headers: { location: 'http://127.0.0.1:9/evil.json' } }, /redirects are not followed/],
    ['too large', { body: JSON.stringify({ client_id: '__ID__', client_name: 'X', redirect_uris: [REDIRECT], pad: 'x'.repeat(6000) }) }, /larger than/],
    ['a client secret', { body: JSON.stringify({ client_id: '__ID__', client_name: 'X', redirect_uris: [REDIRECT], client_secret: 's' }) }, /secret/],
  ];
  for (const [what, doc, reason] of bad) {
    it(`refuses a metadata document with ${what}`, async () => {
      const path = `/bad-${what.replace(/\W+/g, '-')}.json`;
      const id = `${docBase}${path}`;
      docs.set(path, { ...doc, body: doc.body.replace('__ID__', id) });
      const mark = stack.mcp.flowLogs.docs!.recent({ limit: 1 })[0]?.id;
      await expect(authorize(stack.server('docs').issuer, { client_id: id, redirect_uri: REDIRECT, scope: 'docs.read' }, alice)).rejects.toThrow(/400/);
      const ev = stack.mcp.flowLogs.docs!.recent({ after: mark }).find((e) => e.step === 'classic.authorize' && e.outcome === 'denied');
      expect(ev?.error?.internal).toMatch(reason);
    });
  }
  it('refuses plain http for a non-loopback metadata URL without fetching', async () => {
    await expect(
      authorize(stack.server('docs').issuer, { client_id: 'http://client.example.com/cimd.json', redirect_uri: REDIRECT, scope: 'docs.read' }, alice),
    ).rejects.toThrow(/400/);
  });
});

/**
 * URLs a client names are fetched under the SSRF rules (RFC 9700 §4.15; node-kit outbound.ts): a
 * Client ID Metadata Document and a registered client's `jwks_uri` reach a loopback address only when
 * the server is set to allow private networks (by default: it listens on one itself).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeBasePort } from '@xaa/testkit';
import { defaultTopology } from '@xaa/topology';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMcpServers, start } from '../../src/index.ts';

let docServer: Server;
let docBase: string;
const hits: string[] = [];
const docs = new Map<string, string>();
let keys: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  keys = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  docs.set('/jwks', JSON.stringify({ keys: [jwk] }));
  docServer = createServer((req, res) => {
    hits.push(req.url ?? '');
    const d = docs.get(req.url ?? '');
    if (!d) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(d);
  });
  await new Promise<void>((r) => docServer.listen(0, '127.0.0.1', r));
  docBase = `http://127.0.0.1:${(docServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => docServer?.close(r));
});

async function withWiki(outboundPrivate: boolean | undefined, fn: (issuer: string) => Promise<void>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'outbound-'));
  const topology = defaultTopology({ dataDir, basePort: await freeBasePort() });
  let mcp: RunningMcpServers | undefined;
  try {
    mcp = await start({ topology, dataDir, quiet: true, servers: ['wiki'], ...(outboundPrivate === undefined ? {} : { outboundPrivate }) });
    await fn(topology.servers.find((s) => s.name === 'wiki')?.issuer as string);
  } finally {
    await mcp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A private_key_jwt client registered with a jwks_uri, then a client_credentials request signed with its key. */
async function privateKeyJwtToken(issuer: string): Promise<number> {
  const reg = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Key client',
      redirect_uris: ['http://127.0.0.1:9/cb'],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: `${docBase}/jwks`,
    }),
  });
  expect(reg.status, await reg.clone().text()).toBe(201);
  const clientId = ((await reg.json()) as { client_id: string }).client_id;
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: crypto.randomUUID() })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + 60)
    .sign(keys.privateKey);
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
  return res.status;
}

async function cimdAuthorize(issuer: string): Promise<number> {
  const id = `${docBase}/agent-${Math.random().toString(36).slice(2)}.json`;
  docs.set(new URL(id).pathname, JSON.stringify({ client_id: id, client_name: 'CIMD Agent', redirect_uris: ['http://127.0.0.1:9/cb'] }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: id,
    redirect_uri: 'http://127.0.0.1:9/cb',
    scope: 'wiki.read',
    code_challenge: 'x'.repeat(43),
    code_challenge_method: 'S256',
  });
  const res = await fetch(`${issuer}/authorize?${q}`, { redirect: 'manual' });
  await res.body?.cancel();
  return res.status;
}

describe('outbound fetches of client-named URLs (RFC 9700 §4.15)', () => {
  it('private networks refused: neither the jwks_uri nor the metadata document is fetched', async () => {
    await withWiki(false, async (issuer) => {
      const before = hits.length;
      expect(await privateKeyJwtToken(issuer)).toBe(401);
      expect(await cimdAuthorize(issuer)).toBe(400);
      expect(hits.slice(before)).toEqual([]);
    });
  });

  it('by default on loopback (the server listens there): both are fetched and work', async () => {
    await withWiki(undefined, async (issuer) => {
      const before = hits.length;
      expect(await privateKeyJwtToken(issuer)).toBe(200);
      expect(await cimdAuthorize(issuer)).toBe(303);
      expect(hits.slice(before)).toContain('/jwks');
    });
  });
});

/**
 * Discovery checks against a hand-built (possibly hostile) resource server and AS — not one of our
 * apps, so each check can be made to fail: RFC 9728 §3.3 resource match, RFC 8414 §3.3 exact issuer,
 * well-known probing when the challenge names no metadata, EMA §6 grant profile, and MCP-AUTHZ's
 * rule that credentials registered at one AS are never sent to another.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover } from '../../src/discovery.ts';
import { exchangeForAccessToken } from '../../src/flow.ts';

interface World {
  challenge: 'with-metadata' | 'bare';
  prmResource: (origin: string) => string;
  asIssuer: (origin: string) => string;
  profile: boolean;
}

let server: Server;
let origin: string;
const seen: string[] = [];
const world: World = { challenge: 'with-metadata', prmResource: (o) => `${o}/mcp`, asIssuer: (o) => o, profile: true };

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    seen.push(`${req.method} ${path}`);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'POST' && path === '/mcp') {
      const challenge =
        world.challenge === 'with-metadata' ? `Bearer resource_metadata="${origin}/.well-known/oauth-protected-resource/mcp", scope="x.read"` : 'Bearer';
      res.writeHead(401, { 'www-authenticate': challenge }).end();
      return;
    }
    if (path === '/.well-known/oauth-protected-resource/mcp')
      return json(200, { resource: world.prmResource(origin), authorization_servers: [origin], scopes_supported: ['x.read'] });
    if (path === '/.well-known/oauth-authorization-server') {
      return json(200, {
        issuer: world.asIssuer(origin),
        token_endpoint: `${origin}/token`,
        response_types_supported: ['code'],
        grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
        ...(world.profile ? { authorization_grant_profiles_supported: ['urn:ietf:params:oauth:grant-profile:id-jag'] } : {}),
      });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const reset = (patch: Partial<World>) => {
  Object.assign(world, { challenge: 'with-metadata', prmResource: (o: string) => `${o}/mcp`, asIssuer: (o: string) => o, profile: true }, patch);
  seen.length = 0;
};

describe('discovery (RFC 9728 §3.1, RFC 8414 §3)', () => {
  it('follows the 401 challenge to PRM and AS metadata and sees the id-jag profile (EMA §6)', async () => {
    reset({});
    const d = await discover(`${origin}/mcp`, { fetch });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    expect(d).toMatchObject({ resource: `${origin}/mcp`, asIssuer: origin, idJag: true, challengeScope: 'x.read' });
  });

  it('probes the well-known PRM location when the challenge names none (RFC 9728 §3.1)', async () => {
    reset({ challenge: 'bare' });
    const d = await discover(`${origin}/mcp`, { fetch });
    expect(d.ok).toBe(true);
    expect(seen).toContain('GET /.well-known/oauth-protected-resource/mcp');
  });

  it('rejects metadata that describes another resource (RFC 9728 §3.3)', async () => {
    reset({ prmResource: () => 'http://evil.example/mcp' });
    const d = await discover(`${origin}/mcp`, { fetch });
    expect(d).toMatchObject({ ok: false, kind: 'resource_mismatch' });
  });

  it('rejects AS metadata whose issuer is not byte-identical, even by a trailing slash (RFC 8414 §3.3, docs/decisions.md §4)', async () => {
    reset({ asIssuer: (o) => `${o}/` });
    expect(await discover(`${origin}/mcp`, { fetch })).toMatchObject({ ok: false, kind: 'issuer_mismatch' });
    reset({ asIssuer: () => 'http://other.example' });
    expect(await discover(`${origin}/mcp`, { fetch })).toMatchObject({ ok: false, kind: 'issuer_mismatch' });
  });

  it('treats an AS without the id-jag profile as classic-only unless configured to assume it (EMA §6)', async () => {
    reset({ profile: false });
    const d = await discover(`${origin}/mcp`, { fetch });
    expect(d).toMatchObject({ ok: true, idJag: false });
    expect(await discover(`${origin}/mcp`, { fetch, assumeIdJag: true })).toMatchObject({ ok: true, idJag: true });
  });

  it('reports an unreachable server as such', async () => {
    expect(await discover('http://127.0.0.1:1/mcp', { fetch })).toMatchObject({ ok: false, kind: 'unreachable' });
  });

  it('never sends an AS registration to an AS other than the one it belongs to (MCP-AUTHZ, SEP-2352)', async () => {
    reset({});
    const d = await discover(`${origin}/mcp`, { fetch });
    if (!d.ok) throw new Error('discovery failed');
    let idpCalled = false;
    const r = await exchangeForAccessToken(
      { fetch, now: () => 0, progress: () => {} },
      {
        clientId: 'app',
        tokenEndpoint: async () => {
          idpCalled = true;
          return `${origin}/token`;
        },
      },
      { current: async () => ({ ok: true, idToken: 'x.y.z' }), refresh: async () => ({ ok: true, idToken: 'x.y.z' }) },
      { name: 'x', url: `${origin}/mcp`, registration: { client_id: 'app-at-x', client_secret: 's' }, expectedIssuer: 'http://the-real-as.example' },
      d,
      undefined,
    );
    expect(r).toMatchObject({ outcome: 'error', code: 'issuer_mismatch' });
    expect(idpCalled).toBe(false);
    expect(seen.filter((s) => s.startsWith('POST /token'))).toEqual([]);
  });
});

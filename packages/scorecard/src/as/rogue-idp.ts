/**
 * A rogue identity provider for the "untrusted issuer" case: a loopback server that publishes real
 * OpenID/RFC 8414 discovery and a JWKS for the attacker key, so an AS that trusts whatever issuer a
 * token names (and fetches that issuer's keys) is caught, not merely saved by a failed fetch.
 * ASes that cannot reach loopback simply see an unknown issuer, which they must reject anyway.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AttackerKey } from './forge.ts';

export interface RogueIdp {
  issuer: string;
  close(): Promise<void>;
}

export async function startRogueIdp(key: AttackerKey, host = '127.0.0.1'): Promise<RogueIdp> {
  let issuer = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: 'invalid_request' });
    if (path === '/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server')
      return send(200, { issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token`, response_types_supported: ['code'] });
    if (path === '/jwks') {
      const { d: _d, ...pub } = key.publicJwk;
      return send(200, { keys: [pub] });
    }
    return send(404, { error: 'not_found' });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

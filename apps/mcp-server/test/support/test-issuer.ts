/**
 * A test-controlled IdP for crafting ID-JAGs the real IdP would never mint: an ES256 key published
 * on a tiny loopback JWKS server, trusted by an AS through its admin API (a test-configured trusted
 * issuer). Every JWT operation is jose's.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export interface TestIssuer {
  issuer: string;
  jwksUri: string;
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** Sign `claims` (defaults merged, `undefined` deletes) with `header` overrides. */
  mint(claims?: Record<string, unknown>, options?: { header?: Record<string, unknown>; key?: CryptoKey | Uint8Array; alg?: string }): Promise<string>;
  baseClaims(): JWTPayload;
  /** Publish a second key (as an IdP does when it rotates); returns its kid and private key. */
  addKey(): Promise<{ kid: string; privateKey: CryptoKey }>;
  close(): Promise<void>;
}

export async function startTestIssuer(defaults: { aud: string; client_id: string; resource: string; scope: string }): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'test-key-1';
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const keys: JWK[] = [publicJwk];
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const baseClaims = (): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: issuer,
      sub: 'test-user-1',
      aud: defaults.aud,
      client_id: defaults.client_id,
      jti: randomUUID(),
      iat: now,
      exp: now + 300,
      resource: defaults.resource,
      scope: defaults.scope,
      email: 'tess@acme.test',
    };
  };
  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    kid,
    privateKey,
    publicJwk,
    baseClaims,
    async mint(overrides = {}, options = {}) {
      const claims: Record<string, unknown> = { ...baseClaims(), ...overrides };
      for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete claims[k];
      const header = { alg: options.alg ?? 'ES256', kid, typ: 'oauth-id-jag+jwt', ...options.header };
      return new SignJWT(claims as JWTPayload).setProtectedHeader(header as { alg: string }).sign(options.key ?? privateKey);
    },
    async addKey() {
      const pair = await generateKeyPair('ES256', { extractable: true });
      const newKid = `test-key-${keys.length + 1}`;
      keys.push({ ...(await exportJWK(pair.publicKey)), kid: newKid, alg: 'ES256', use: 'sig' });
      return { kid: newKid, privateKey: pair.privateKey };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * The AS signing key of one server, persisted (docs/decisions.md §4: keys persisted; ES256 by default). The same
 * private JWK is handed to oidc-provider (its JWKS, classic-flow JWT access tokens) and used by the
 * jwt-bearer grant to sign access tokens with the same `kid`.
 */
import { createPublicKey, type JsonWebKey as NodeJsonWebKey } from 'node:crypto';
import { type Db, type NodeVerifyKey, nodeJwsSigner } from '@xaa/node-kit';
import type { SigningKey } from '@xaa/protocol';
import { type CryptoKey, calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';

export interface ServerKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateJwk: JWK;
  publicJwk: JWK;
  signingKey: CryptoKey | Uint8Array;
  /** This AS's own keys, for the MCP server's token check (same trust domain, no HTTP round trip). */
  jwks: JWTVerifyGetKey;
  /** The same public key imported once for Node's crypto (node-kit `jwtVerifyNode`). */
  verifyKeys: NodeVerifyKey[];
  /** The signing key for @xaa/protocol `signJwt`, signing with Node's crypto (node-kit `nodeJwsSigner`). */
  signer: SigningKey;
}

export async function loadOrCreateKey(db: Db, server: string, nowSeconds: number, alg: 'ES256' | 'RS256' = 'ES256'): Promise<ServerKey> {
  let row = db.prepare('SELECT kid, alg, private_jwk FROM signing_keys WHERE server = ? ORDER BY created_at DESC LIMIT 1').get(server) as
    | { kid: string; alg: 'ES256' | 'RS256'; private_jwk: string }
    | undefined;
  if (!row) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    const kid = (await calculateJwkThumbprint(jwk)).slice(0, 16);
    const privateJwk = { ...jwk, kid, alg, use: 'sig' };
    db.prepare('INSERT INTO signing_keys (server, kid, alg, private_jwk, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING').run(
      server,
      kid,
      alg,
      JSON.stringify(privateJwk),
      nowSeconds,
    );
    row = { kid, alg, private_jwk: JSON.stringify(privateJwk) };
  }
  const privateJwk = JSON.parse(row.private_jwk) as JWK;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  const signingKey = await importJWK(privateJwk, row.alg);
  return {
    kid: row.kid,
    alg: row.alg,
    privateJwk,
    publicJwk,
    signingKey: signingKey as CryptoKey | Uint8Array,
    jwks: createLocalJWKSet({ keys: [publicJwk] }),
    signer: { kid: row.kid, alg: row.alg, key: signingKey as CryptoKey | Uint8Array, sign: nodeJwsSigner(privateJwk, row.alg) },
    verifyKeys: [{ kid: row.kid, alg: row.alg, key: createPublicKey({ key: publicJwk as NodeJsonWebKey, format: 'jwk' }) }],
  };
}

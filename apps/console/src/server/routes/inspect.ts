/**
 * Signature check for the token inspector: the token's (unverified) `iss` must be one of the
 * playground's known issuers; the key comes from that issuer's JWKS only (discovered from its
 * metadata), never from the token. Claims are not judged here (the inspector lints them in the
 * browser with the shared rules); this answers "who signed it, and does the signature verify".
 */
import { decodeUnverified } from '@xaa/protocol';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet, errors as joseErrors } from 'jose';
import type { Context, Middleware, Next } from 'koa';
import { readJson } from '../json-body.ts';

export interface KnownIssuer {
  issuer: string;
  label: string;
}

export interface InspectDeps {
  issuers: readonly KnownIssuer[];
  fetchFn: typeof fetch;
  timeoutMs: number;
}

export type VerifyResult =
  | { verified: true; issuer: string; label: string; kid: string | undefined; alg: string; jwksUri: string }
  | { verified: false; reason: string; code: string; issuer?: string; label?: string; jwksUri?: string };

async function jwksUriOf(issuer: string, deps: InspectDeps): Promise<string> {
  for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    try {
      const res = await deps.fetchFn(`${issuer}${path}`, { signal: AbortSignal.timeout(deps.timeoutMs) });
      if (!res.ok) continue;
      const meta = (await res.json()) as { issuer?: string; jwks_uri?: string };
      // RFC 8414 §3.3: metadata whose issuer differs from the one used to find it is discarded.
      if (meta.issuer === issuer && typeof meta.jwks_uri === 'string') return meta.jwks_uri;
    } catch {
      // try the next well-known location
    }
  }
  throw new Error('metadata');
}

export async function verifySignature(token: string, deps: InspectDeps): Promise<VerifyResult> {
  const decoded = decodeUnverified(token);
  if (!decoded) return { verified: false, code: 'malformed', reason: 'Not a compact JWS (RFC 7515 §7.1).' };
  const iss = decoded.claims.iss;
  const known = deps.issuers.find((i) => i.issuer === iss);
  if (!known)
    return {
      verified: false,
      code: 'unknown_issuer',
      reason: `The issuer ${JSON.stringify(iss ?? null)} is not one of this playground's: ${deps.issuers.map((i) => i.issuer).join(', ')}.`,
    };
  const base = { issuer: known.issuer, label: known.label };
  let jwksUri: string;
  try {
    jwksUri = await jwksUriOf(known.issuer, deps);
  } catch {
    return { ...base, verified: false, code: 'metadata_unavailable', reason: `${known.label} did not serve its metadata (RFC 8414 §3).` };
  }
  let jwks: JSONWebKeySet;
  try {
    const res = await deps.fetchFn(jwksUri, { signal: AbortSignal.timeout(deps.timeoutMs) });
    jwks = (await res.json()) as JSONWebKeySet;
  } catch {
    return { ...base, jwksUri, verified: false, code: 'jwks_unavailable', reason: `The JWKS at ${jwksUri} could not be fetched.` };
  }
  const alg = String(decoded.header.alg ?? '');
  if (alg === 'none' || alg.startsWith('HS'))
    return { ...base, jwksUri, verified: false, code: 'alg_not_allowed', reason: `alg ${alg} cannot be verified with a public key (EMA §7.4.1).` };
  try {
    await compactVerify(token, createLocalJWKSet(jwks), { algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] });
    return { ...base, jwksUri, verified: true, kid: decoded.header.kid, alg };
  } catch (e) {
    if (e instanceof joseErrors.JWKSNoMatchingKey)
      return {
        ...base,
        jwksUri,
        verified: false,
        code: 'unknown_kid',
        reason: `No key in ${known.label}'s JWKS has kid ${JSON.stringify(decoded.header.kid ?? null)}.`,
      };
    if (e instanceof joseErrors.JWKSMultipleMatchingKeys)
      return { ...base, jwksUri, verified: false, code: 'ambiguous_kid', reason: 'Several keys match and none verifies.' };
    if (e instanceof joseErrors.JWSSignatureVerificationFailed)
      return {
        ...base,
        jwksUri,
        verified: false,
        code: 'bad_signature',
        reason: `The signature does not verify with ${known.label}'s key (tampered or signed by someone else).`,
      };
    return { ...base, jwksUri, verified: false, code: 'invalid', reason: (e as Error).message };
  }
}

export function inspectRoutes(deps: InspectDeps): Middleware {
  return async function inspect(ctx: Context, next: Next) {
    if (ctx.path === '/api/inspect/issuers' && ctx.method === 'GET') {
      ctx.body = { issuers: deps.issuers };
      return;
    }
    if (ctx.path !== '/api/inspect/verify' || ctx.method !== 'POST') return next();
    ctx.set('Cache-Control', 'no-store');
    const body = (await readJson(ctx, 64 * 1024, 'The token is too large.')) as { token?: unknown } | undefined;
    const token = typeof body?.token === 'string' ? body.token.trim() : undefined;
    if (!token) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'Send {"token": "<compact JWS>"}.', fields: { token: 'required' } };
      return;
    }
    ctx.body = await verifySignature(token, deps);
  };
}

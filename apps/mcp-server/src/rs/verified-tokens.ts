/**
 * Access tokens this server has already checked (RFC 9068 §4: `typ`, signature, `iss`, `aud`, `exp`,
 * the required claims), by their exact compact form: a repeat request with the same token skips the
 * signature check; its expiry, its user and its DPoP binding are checked on every request
 * (require-bearer.ts). The AS puts each token it signs here as it issues it: the process that signed
 * those exact bytes needs no signature check to know who signed them, and the claims go through the
 * same checks as any presented token's. A token that differs in any byte (another signature, an edited
 * payload) is not a key here and is verified in full. Bounded; cleared wholesale when full.
 */
import { jwtClaimsOfOwnToken, jwtVerifyNode } from '@xaa/node-kit';
import { parseScope, TYP_ACCESS_TOKEN } from '@xaa/protocol';
import type { JWTPayload, JWTVerifyOptions } from 'jose';
import type { ServerRuntime } from '../context.ts';
import { boundJkt } from './dpop-presentation.ts';

/** A checked token's claims and what each request derives from them (the same for every use of the token). */
export interface Verified {
  claims: JWTPayload;
  scopes: string[];
  jkt: string | undefined;
}

const ACCESS_TOKEN_SKEW = 5;
const CACHE_MAX = 2_000;
const verifiedCache = new WeakMap<ServerRuntime, Map<string, Verified>>();

function cacheOf(rt: ServerRuntime): Map<string, Verified> {
  let cache = verifiedCache.get(rt);
  if (!cache) {
    cache = new Map();
    verifiedCache.set(rt, cache);
  }
  return cache;
}

/** What an access token of this server must be (RFC 9068 §4), as jose options. */
function accessTokenChecks(rt: ServerRuntime): JWTVerifyOptions & { algorithms: string[] } {
  return {
    typ: TYP_ACCESS_TOKEN,
    issuer: rt.def.issuer,
    audience: rt.def.resource,
    algorithms: [rt.key.alg],
    requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'jti'],
    clockTolerance: ACCESS_TOKEN_SKEW,
    currentDate: new Date(rt.nowMs()),
  };
}

function remember(cache: Map<string, Verified>, token: string, claims: JWTPayload): Verified {
  const verified: Verified = {
    claims,
    scopes: Object.freeze(parseScope(typeof claims.scope === 'string' ? claims.scope : undefined)) as string[],
    jkt: boundJkt(claims),
  };
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(token, verified);
  return verified;
}

/** The token's checked claims; throws jose's error when it is not an access token of this server. */
export async function verifiedAccessToken(rt: ServerRuntime, token: string): Promise<Verified> {
  const cache = cacheOf(rt);
  const hit = cache.get(token);
  if (hit) {
    if ((hit.claims.exp as number) + ACCESS_TOKEN_SKEW > rt.nowSeconds()) return hit;
    cache.delete(token);
  }
  const { payload } = await jwtVerifyNode(token, rt.key.verifyKeys, rt.key.jwks, accessTokenChecks(rt));
  return remember(cache, token, payload);
}

/**
 * An access token this server's AS has just signed with its key: remembered when its claims pass the
 * checks every presented token passes; one that would not (another audience, …) is left to fail them
 * when it is presented.
 */
export function rememberIssuedAccessToken(rt: ServerRuntime, token: string): void {
  let claims: JWTPayload | undefined;
  try {
    claims = jwtClaimsOfOwnToken(token, accessTokenChecks(rt))?.payload;
  } catch {
    return;
  }
  if (claims) remember(cacheOf(rt), token, claims);
}

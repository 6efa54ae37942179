/**
 * Admin-API authentication (docs/decisions.md §2): every `/admin/` route accepts only an access token issued by
 * the IdP for that API (RFC 8707 resource indicator = the API's URL, so `aud` = that URL), as an
 * RFC 9068 JWT carrying the admin scope. The console gets one per API for the signed-in admin; scripts
 * use the client-credentials grant of the seeded "ops" client. No shared static secrets.
 *
 * Beyond signature, issuer, audience, `typ` and scope, a token must come from an expected client
 * (`client_id`, RFC 9068 §2.2: the console or the ops client — anything else the IdP's key signed is
 * refused), be younger than a maximum age (`iat`, whatever its `exp` says), and still be current at
 * the IdP: the apps verify admin JWTs locally, so a revocation (user disabled, admin role removed,
 * sessions revoked) would otherwise wait for `exp`. `status` asks the IdP on every admin request
 * (`idpAdminTokenStatus`: one loopback POST to `<issuer>/admin-token/status`, answered from the IdP's
 * directory); the IdP's own admin API answers it in process.
 */
import { ADMIN_SCOPE, parseScope, TYP_ACCESS_TOKEN } from '@xaa/protocol';
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import type { Context, Next } from 'koa';

export interface AdminAuthOptions {
  /** The IdP issuer. */
  issuer: string;
  /** This API's URL: the audience its tokens must carry. */
  audience: string;
  /** Defaults to the IdP's JWKS at `${issuer}/jwks`, fetched lazily. */
  jwks?: JWTVerifyGetKey;
  scope?: string;
  /** The `client_id`s whose tokens are accepted (the console's and the ops client's). Unset: any. */
  clientIds?: readonly string[];
  /** Refuse tokens whose `iat` is older than this (seconds; default `ADMIN_TOKEN_MAX_AGE`). */
  maxAgeSeconds?: number;
  /** Is the token still current at the IdP? Resolves to undefined when it is, else the reason it is not. */
  status?: AdminTokenStatus;
}

/**
 * The credential a request was let in with, for responses that outlive the request (SSE): its expiry
 * (seconds) and a check that resolves to a reason once it is no longer current (revoked).
 */
export interface StreamCredential {
  exp: number;
  current(): Promise<string | undefined>;
}

export type AdminTokenStatus = (token: string, principal?: AdminPrincipal) => Promise<string | undefined>;

/** The IdP's admin access tokens live 600 s; a minute of clock skew on top. */
export const ADMIN_TOKEN_MAX_AGE = 660;

/** The status endpoint path at the IdP (see `idpAdminTokenStatus`). */
export const ADMIN_TOKEN_STATUS_PATH = '/admin-token/status';

/** Thrown by a status check that cannot reach the IdP: fail closed, but say so (503). */
export class AdminStatusUnavailable extends Error {}

/**
 * Asks the IdP whether an admin token is still current (`POST <issuer>/admin-token/status` with
 * `{ "token": … }` → `{ "active": true }` or `{ "active": false, "reason": … }`). The caller presents
 * the token itself, so the answer tells it nothing it could not learn by using the token.
 */
export function idpAdminTokenStatus(issuer: string, fetchFn: typeof fetch = fetch, timeoutMs = 5000): AdminTokenStatus {
  return async (token) => {
    let res: Response;
    try {
      res = await fetchFn(`${issuer}${ADMIN_TOKEN_STATUS_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new AdminStatusUnavailable(`The IdP could not confirm the token: ${(e as Error).message}`);
    }
    const body = (await res.json().catch(() => undefined)) as { active?: unknown; reason?: unknown } | undefined;
    if (res.status !== 200 || !body) throw new AdminStatusUnavailable(`The IdP could not confirm the token (HTTP ${res.status}).`);
    return body.active === true ? undefined : typeof body.reason === 'string' ? body.reason : 'The IdP no longer honours this token.';
  };
}

export interface AdminPrincipal {
  sub: string;
  client_id: string | undefined;
  scopes: string[];
  claims: JWTPayload;
}

function challenge(ctx: Context, status: 401 | 403, error: string, description: string, scope: string) {
  ctx.status = status;
  ctx.set('WWW-Authenticate', `Bearer error="${error}", error_description="${description}", scope="${scope}"`);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error, error_description: description };
}

export function adminJwks(issuer: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(`${issuer}/jwks`), { cooldownDuration: 1000, cacheMaxAge: 60_000 });
}

export async function verifyAdminToken(token: string, options: AdminAuthOptions & { jwks: JWTVerifyGetKey }): Promise<AdminPrincipal> {
  const { payload } = await jwtVerify(token, options.jwks, {
    issuer: options.issuer,
    audience: options.audience,
    typ: TYP_ACCESS_TOKEN,
    algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    requiredClaims: ['exp', 'iat'],
    maxTokenAge: options.maxAgeSeconds ?? ADMIN_TOKEN_MAX_AGE,
  });
  if (options.clientIds && !options.clientIds.includes(String(payload.client_id ?? '')))
    throw new joseErrors.JWTClaimValidationFailed('unexpected "client_id" claim value', payload, 'client_id', 'check_failed');
  const scopes = parseScope(typeof payload.scope === 'string' ? payload.scope : undefined);
  return { sub: String(payload.sub ?? payload.client_id ?? ''), client_id: payload.client_id as string | undefined, scopes, claims: payload };
}

/** Koa middleware: 401 for no/invalid token, 403 for a valid token without the admin scope. */
export function requireAdmin(options: AdminAuthOptions) {
  const jwks = options.jwks ?? adminJwks(options.issuer);
  const scope = options.scope ?? ADMIN_SCOPE;
  return async function requireAdmin(ctx: Context, next: Next) {
    const header = ctx.get('authorization');
    const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header);
    if (!m) return challenge(ctx, 401, 'invalid_token', 'An admin access token from the IdP is required.', scope);
    let principal: AdminPrincipal;
    try {
      principal = await verifyAdminToken(m[1] as string, { ...options, jwks });
    } catch (e) {
      const claim = (e as { claim?: string }).claim;
      const why =
        e instanceof joseErrors.JWTExpired && claim === 'exp'
          ? 'The access token has expired.'
          : claim === 'aud'
            ? `The access token was not issued for ${options.audience}.`
            : claim === 'client_id'
              ? 'The access token was not issued to a client that may call admin APIs.'
              : claim === 'iat'
                ? 'The access token is older than admin tokens may be.'
                : 'The access token is not valid for this API.';
      return challenge(ctx, 401, 'invalid_token', why, scope);
    }
    if (!principal.scopes.includes(scope)) return challenge(ctx, 403, 'insufficient_scope', `The ${scope} scope is required.`, scope);
    if (options.status) {
      let revoked: string | undefined;
      try {
        revoked = await options.status(m[1] as string, principal);
      } catch (e) {
        if (!(e instanceof AdminStatusUnavailable)) throw e;
        ctx.status = 503;
        ctx.set('Cache-Control', 'no-store');
        ctx.set('Retry-After', '1');
        ctx.body = { error: 'temporarily_unavailable', error_description: e.message };
        return;
      }
      if (revoked) return challenge(ctx, 401, 'invalid_token', revoked, scope);
    }
    ctx.state.admin = principal;
    // What a long-lived response (the SSE stream) needs to end with its credential (koa.ts).
    const token = m[1] as string;
    const status = options.status;
    ctx.state.credential = {
      exp: Number(principal.claims.exp),
      current: async () => (status ? status(token, principal).catch((e: Error) => e.message) : undefined),
    } satisfies StreamCredential;
    await next();
  };
}

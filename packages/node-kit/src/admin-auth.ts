/**
 * Admin-API authentication (design §2): every `/admin/` route accepts only an access token issued by
 * the IdP for that API (RFC 8707 resource indicator = the API's URL, so `aud` = that URL), as an
 * RFC 9068 JWT carrying the admin scope. The console gets one per API for the signed-in admin; scripts
 * use the client-credentials grant of the seeded "ops" client. No shared static secrets.
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
  });
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
      const why =
        e instanceof joseErrors.JWTExpired
          ? 'The access token has expired.'
          : e instanceof joseErrors.JWTClaimValidationFailed && e.claim === 'aud'
            ? `The access token was not issued for ${options.audience}.`
            : 'The access token is not valid for this API.';
      return challenge(ctx, 401, 'invalid_token', why, scope);
    }
    if (!principal.scopes.includes(scope)) return challenge(ctx, 403, 'insufficient_scope', `The ${scope} scope is required.`, scope);
    ctx.state.admin = principal;
    await next();
  };
}

/**
 * Is an admin access token still current? The apps verify the IdP's admin JWTs (RFC 9068) locally;
 * this is what makes a revocation take effect before `exp`: every admin API asks here on each request
 * (`idpAdminTokenStatus` in node-kit), and the IdP's own admin API asks `adminTokenStatus` in process.
 *
 * A token is current while its client is still the console or the ops client and enabled, and — for a
 * user's token — the user exists, is enabled, is still an admin, and the token was issued after the
 * user's last revocation (`not_before`: disabling, removing the admin role, revoking sessions).
 *
 * `POST /admin-token/status` with `{ "token": "<jwt>" }` → `{ "active": true }` or `{ "active": false,
 * "reason" }`. No client authentication: the caller presents the token itself (so it learns nothing
 * the token would not tell it), unlike RFC 7662 introspection, where a client asks about any token.
 */
import { bodyParser } from '@koa/bodyparser';
import { ADMIN_TOKEN_STATUS_PATH } from '@xaa/node-kit';
import { TYP_ACCESS_TOKEN } from '@xaa/protocol';
import { type JWTPayload, jwtVerify } from 'jose';
import type { Context, Middleware, Next } from 'koa';
import type { IdpContext } from './context.ts';
import { adminResources } from './provider/configuration.ts';

/** Undefined while the token's grant stands, else why it does not. */
export function adminTokenStatus(idp: Pick<IdpContext, 'directory'>, claims: JWTPayload): string | undefined {
  const clientId = typeof claims.client_id === 'string' ? claims.client_id : '';
  const app = idp.directory.getApp(clientId);
  if (!app || app.disabled || (app.kind !== 'console' && app.kind !== 'ops')) return 'The client of this token may no longer call admin APIs.';
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  if (!sub || sub === clientId) return undefined; // client credentials: the client is the subject
  const user = idp.directory.getUser(sub);
  if (!user) return 'The user of this token no longer exists.';
  if (user.disabled) return 'The user of this token is disabled.';
  if (!user.admin) return 'The user of this token is no longer an admin.';
  if (Number(claims.iat) < user.not_before) return "The token was issued before the user's sessions were revoked.";
  return undefined;
}

export function adminTokenStatusRoute(idp: IdpContext): Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: '16kb', encoding: 'utf-8' });
  const audiences = adminResources(idp);
  return async function adminTokenStatusRoute(ctx: Context, next: Next) {
    if (ctx.path !== ADMIN_TOKEN_STATUS_PATH) return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      ctx.set('Allow', 'POST');
      ctx.body = { error: 'invalid_request', error_description: 'Use POST with a JSON body { "token": … }.' };
      return;
    }
    try {
      await parse(ctx, async () => {});
    } catch {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'The body must be JSON: { "token": … }.' };
      return;
    }
    const token = (ctx.request.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token.length > 8192) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'The body must be JSON: { "token": … }.' };
      return;
    }
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, (header, t) => idp.keys.verifier()(header, t), {
        issuer: idp.issuer,
        audience: audiences,
        typ: TYP_ACCESS_TOKEN,
        requiredClaims: ['exp', 'iat'],
      }));
    } catch {
      ctx.body = { active: false, reason: 'The token is not a current admin access token of this IdP.' };
      return;
    }
    const reason = adminTokenStatus(idp, claims);
    ctx.body = reason ? { active: false, reason } : { active: true };
  };
}

/**
 * oidc-provider answers two token-endpoint failures with `invalid_request` where RFC 6749 §5.2 names
 * a more precise code (design §4):
 *  - no client authentication at all → `invalid_client` (401, with a `WWW-Authenticate` challenge);
 *  - a grant type the client is not registered for → `unauthorized_client`.
 * This post-middleware (oidc-provider's documented extension point, `provider.use`) rewrites exactly
 * those two answers on `POST /token`; every other error passes through untouched.
 */
import type { Context, Middleware, Next } from 'koa';

export const OIDC_PROVIDER_MESSAGES = {
  noClientAuth: 'no client authentication mechanism provided',
  grantNotAllowed: 'requested grant type is not allowed for this client',
} as const;

export function tokenEndpointErrorCodes(options: { realm: string; tokenPath?: string }): Middleware {
  const tokenPath = options.tokenPath ?? '/token';
  return async function tokenEndpointErrorCodes(ctx: Context, next: Next) {
    await next();
    if (ctx.path !== tokenPath || ctx.method !== 'POST' || ctx.status !== 400) return;
    const body = ctx.body as { error?: string; error_description?: string } | undefined;
    if (body?.error !== 'invalid_request') return;
    if (body.error_description === OIDC_PROVIDER_MESSAGES.noClientAuth) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', `Basic realm="${options.realm.replace(/"/g, '')}"`);
      ctx.body = {
        error: 'invalid_client',
        error_description: 'Client authentication is required (client_secret_basic, client_secret_post or private_key_jwt).',
      };
    } else if (body.error_description === OIDC_PROVIDER_MESSAGES.grantNotAllowed) {
      ctx.body = { error: 'unauthorized_client', error_description: 'This client is not registered for this grant type.' };
    }
  };
}

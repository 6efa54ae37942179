/**
 * RFC 7662 introspection of this AS's JWT access tokens. oidc-provider introspects the tokens it
 * stores (refresh tokens) but refuses structured JWTs with `unsupported_token_type`; this middleware
 * runs after it — only when the caller's client authentication succeeded — and answers for a JWT
 * this AS issued: `active: true` with its claims when the signature, issuer, `typ: at+jwt` and expiry
 * verify, `active: false` otherwise (RFC 7662 §2.2 gives no reason to the caller).
 */
import { TYP_ACCESS_TOKEN } from '@xaa/protocol';
import { jwtVerify } from 'jose';
import type { Context, Next } from 'koa';
import type { ServerRuntime } from '../context.ts';
import { ROUTES } from './provider/configuration.ts';

export function introspectJwtAccessTokens(rt: ServerRuntime) {
  return async function introspectJwtAccessTokens(ctx: Context, next: Next) {
    await next();
    if (ctx.path !== ROUTES.introspection || ctx.method !== 'POST' || ctx.status !== 400) return;
    const body = ctx.body as { error?: string } | undefined;
    const oidc = (ctx as Context & { oidc?: { client?: { clientId: string }; params?: Record<string, unknown> } }).oidc;
    if (body?.error !== 'unsupported_token_type' || !oidc?.client || typeof oidc.params?.token !== 'string') return;
    ctx.status = 200;
    ctx.set('Cache-Control', 'no-store');
    try {
      const { payload } = await jwtVerify(oidc.params.token, rt.key.jwks, {
        typ: TYP_ACCESS_TOKEN,
        issuer: rt.def.issuer,
        algorithms: [rt.key.alg],
        requiredClaims: ['exp', 'iat', 'jti'],
        currentDate: new Date(rt.nowMs()),
      });
      // RFC 9449 §6.2: a key-bound token says so (its `cnf` travels with the claims).
      ctx.body = { ...payload, active: true, token_type: payload.cnf ? 'DPoP' : 'Bearer' };
    } catch {
      ctx.body = { active: false };
    }
  };
}

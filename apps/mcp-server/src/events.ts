/** oidc-provider's named events turned into flow events of this AS (classic.*). */

import { requestTrace } from '@xaa/node-kit/oidc-host';
import { tokenView } from '@xaa/protocol';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ClientAdapter } from './as/provider/clients.ts';
import type { ServerRuntime } from './context.ts';

type OidcError = Error & { error?: string; error_description?: string };

export function attachEvents(provider: Provider, rt: ServerRuntime, clients: ClientAdapter) {
  const params = (ctx: KoaContextWithOIDC) => (ctx.oidc?.params ?? {}) as Record<string, unknown>;

  provider.on('authorization.accepted', (ctx: KoaContextWithOIDC) => {
    const p = params(ctx);
    rt.flowLog.emit({
      traceId: requestTrace(ctx.req).traceId,
      party: rt.party.as,
      step: 'classic.authorize',
      outcome: 'ok',
      summary: `${String(p.client_id)} starts an authorization request (scope ${String(p.scope ?? '(default)')})`,
      subject: { client: String(p.client_id), server: rt.def.name },
      http: {
        method: ctx.method,
        url: `${rt.def.issuer}${ctx.path}`,
        request: {
          client_id: p.client_id,
          redirect_uri: p.redirect_uri,
          scope: p.scope,
          resource: p.resource,
          code_challenge_method: p.code_challenge_method,
          response_type: p.response_type,
        },
      },
    });
  });

  provider.on('authorization.error', (ctx: KoaContextWithOIDC, err: OidcError) => {
    const p = params(ctx);
    const clientId = typeof p.client_id === 'string' ? p.client_id : undefined;
    const cimd = clientId ? clients.lastCimdFailure.get(clientId) : undefined;
    rt.flowLog.emit({
      traceId: requestTrace(ctx.req).traceId,
      party: rt.party.as,
      step: 'classic.authorize',
      outcome: 'denied',
      summary: `Authorization request refused (${err.error ?? 'error'}): ${err.error_description ?? err.message}${cimd ? ` — ${cimd}` : ''}`,
      subject: { server: rt.def.name, ...(clientId ? { client: clientId } : {}) },
      error: { code: String(err.error ?? 'invalid_request'), description: String(err.error_description ?? err.message), ...(cimd ? { internal: cimd } : {}) },
    });
  });

  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const gty = params(ctx).grant_type;
    if (gty !== 'authorization_code' && gty !== 'refresh_token') return;
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    const accountId = ctx.oidc.account?.accountId;
    const user = accountId ? rt.users.get(accountId)?.username : undefined;
    const clientId = ctx.oidc.client?.clientId ?? '';
    const traceId = requestTrace(ctx.req).traceId;
    void (async () => {
      const tokens = typeof body.access_token === 'string' ? [await tokenView('access_token', body.access_token, { redact: rt.flowLog.redact })] : [];
      rt.flowLog.emit({
        traceId,
        party: rt.party.as,
        step: 'classic.token',
        outcome: 'ok',
        summary: `${clientId} redeemed a ${gty === 'authorization_code' ? 'code' : 'refresh token'}${user ? ` for ${user}` : ''}${body.refresh_token ? ' (+ rotated refresh token)' : ''}`,
        subject: { client: clientId, server: rt.def.name, ...(user ? { user } : {}) },
        tokens,
        data: { grant_type: gty, scope: body.scope },
      });
    })();
  });
}

/** `classic.token` refusals: a code or refresh token the token endpoint refused (jwt-bearer reports its own). */
export function classicTokenRefused(rt: ServerRuntime) {
  return (ctx: KoaContextWithOIDC, err: OidcError, grantType: string | undefined) => {
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return;
    const p = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
    rt.flowLog.emit({
      traceId: requestTrace(ctx.req).traceId,
      party: rt.party.as,
      step: 'classic.token',
      outcome: 'denied',
      summary: `Token request refused (${err.error ?? 'error'}): ${err.error_description ?? err.message}`,
      subject: { client: String(ctx.oidc?.client?.clientId ?? p.client_id ?? ''), server: rt.def.name },
      error: { code: String(err.error ?? 'invalid_request'), description: String(err.error_description ?? err.message) },
    });
  };
}

/**
 * The oidc-provider instance behind the Koa mount. oidc-provider fixes its signing keystore at
 * construction, so a key rotation builds a new Provider from the same configuration (state lives in
 * SQLite, so sessions, grants and tokens carry over) and swaps it in; requests in flight finish on the
 * old one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostProvider, type ProviderErrorLike, registerGrant, requestTrace, withoutRequestStorage } from '@xaa/node-kit/oidc-host';
import { tokenView } from '@xaa/protocol';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import type { IdpContext } from '../context.ts';
import { configuration } from './configuration.ts';
import { tokenExchangeGrant } from './grants/token-exchange.ts';

export interface ProviderHost {
  current(): Provider;
  rebuild(): void;
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

function attachEvents(provider: Provider, idp: IdpContext) {
  // sso.authorize: once per sign-in — when the IdP asks the user to sign in, or when an existing
  // session answers straight away (no interaction).
  const authorize = (ctx: KoaContextWithOIDC, summary: string) => {
    const params = ctx.oidc.params ?? {};
    idp.flowLog.emit({
      traceId: requestTrace(ctx.req).traceId,
      party: 'idp',
      step: 'sso.authorize',
      outcome: 'ok',
      summary: `${String(params.client_id)} ${summary} (scope ${String(params.scope ?? '')})`,
      subject: { client: String(params.client_id) },
      http: {
        method: ctx.method,
        url: `${idp.issuer}${ctx.path}`,
        request: {
          client_id: params.client_id,
          redirect_uri: params.redirect_uri,
          scope: params.scope,
          response_type: params.response_type,
          code_challenge_method: params.code_challenge_method,
          resource: params.resource,
        },
      },
    });
  };
  provider.on('interaction.started', (ctx: KoaContextWithOIDC, prompt: { name?: string }) => {
    if (ctx.oidc.result === undefined) authorize(ctx, prompt?.name === 'login' ? 'starts sign-in; the IdP asks the user to log in' : 'starts sign-in');
  });
  provider.on('authorization.accepted', (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc.result === undefined) authorize(ctx, 'signs in with the existing SSO session');
  });
}

/** `sso.token` refusals: a code or refresh token the token endpoint refused (token exchange reports its own). */
function ssoTokenRefused(idp: IdpContext) {
  return (ctx: KoaContextWithOIDC, err: ProviderErrorLike, grantType: string | undefined) => {
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') return;
    idp.flowLog.emit({
      traceId: requestTrace(ctx.req).traceId,
      party: 'idp',
      step: 'sso.token',
      outcome: 'denied',
      summary: `Token request refused (${err.error ?? 'error'}): ${err.error_description ?? err.message}`,
      subject: { client: String(ctx.oidc?.client?.clientId ?? '') },
      error: { code: String(err.error ?? 'invalid_request'), description: String(err.error_description ?? err.message) },
    });
  };
}

/** `sso.token`: a code or refresh token redeemed; awaited before the response leaves, so the event is never late. */
async function recordSsoToken(ctx: KoaContextWithOIDC, idp: IdpContext): Promise<void> {
  const gty = ctx.oidc?.params?.grant_type;
  if (ctx.status !== 200 || (gty !== 'authorization_code' && gty !== 'refresh_token')) return;
  const body = (ctx.body ?? {}) as Record<string, unknown>;
  const accountId = ctx.oidc.account?.accountId;
  const user = accountId ? idp.directory.getUser(accountId)?.username : undefined;
  const clientId = ctx.oidc.client?.clientId ?? '';
  const tokens = [];
  if (typeof body.id_token === 'string') tokens.push(await tokenView('id_token', body.id_token, { redact: idp.flowLog.redact }));
  if (typeof body.access_token === 'string' && body.access_token.split('.').length === 3)
    tokens.push(await tokenView('access_token', body.access_token, { redact: idp.flowLog.redact }));
  idp.flowLog.emit({
    traceId: requestTrace(ctx.req).traceId,
    party: 'idp',
    step: 'sso.token',
    outcome: 'ok',
    summary: `${clientId} redeemed a ${gty === 'authorization_code' ? 'code' : 'refresh token'}${user ? ` for ${user}` : ''}${body.refresh_token ? ' (+ refresh token)' : ''}`,
    subject: { client: clientId, ...(user ? { user } : {}) },
    tokens,
    data: { grant_type: gty, scope: body.scope },
  });
}

export function createProviderHost(idp: IdpContext): ProviderHost {
  const build = () => {
    const provider = new Provider(idp.issuer, withoutRequestStorage(configuration(idp)));
    provider.proxy = false;
    hostProvider(provider, { realm: idp.issuer, label: 'idp', onOtherGrantError: ssoTokenRefused(idp) });
    registerGrant(provider, tokenExchangeGrant(idp));
    attachEvents(provider, idp);
    // Flow events for SSO token responses; a post-middleware, the documented extension point.
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/token' && ctx.method === 'POST') await recordSsoToken(ctx as KoaContextWithOIDC, idp);
    });
    const cb = provider.callback() as unknown as (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    return { provider, cb };
  };
  let state = build();
  return {
    current: () => state.provider,
    rebuild: () => {
      state = build();
    },
    callback: () => state.cb,
  };
}

/**
 * One sample server's origin, composed on its AS's oidc-provider Koa app (issuer = origin):
 *
 *   traceparent → well-known metadata (RFC 9728 PRM, RFC 8414 AS metadata) → /mcp (DNS-rebinding
 *   guard → bearer check → MCP SDK handler; a request that passes them all skips the Koa app, see
 *   rs/direct-mcp-route.ts) → /admin (guarded surface: Host check, IdP-issued admin token) → /interaction (login,
 *   consent) → oidc-provider's own routes (authorize, token incl. jwt-bearer, jwks, register, revoke,
 *   introspect).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeIncomingMessageLike } from '@modelcontextprotocol/node';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { traceContext } from '@xaa/node-kit';
import { hostProvider, registerGrant, shareTrace, validHost, withoutRequestStorage } from '@xaa/node-kit/oidc-host';
import { GRANT_TYPE_JWT_BEARER, newTrace } from '@xaa/protocol';
import type { Context } from 'koa';
import Provider from 'oidc-provider';
import { adminSurface } from './admin/router.ts';
import { introspectJwtAccessTokens } from './as/introspect-jwt.ts';
import { authorizationServerMetadata } from './as/metadata.ts';
import { ClientAdapter } from './as/provider/clients.ts';
import { configuration } from './as/provider/configuration.ts';
import { jwtBearerGrant, jwtBearerRefused } from './as/provider/grants/jwt-bearer.ts';
import { defaults } from './config.ts';
import type { ServerRuntime } from './context.ts';
import { attachEvents, classicTokenRefused } from './events.ts';
import { interactionRoutes } from './interactions/routes.ts';
import { nodeMcpHandler } from './mcp/handler.ts';
import { directMcpRoute } from './rs/direct-mcp-route.ts';
import { allowedHostnames, dnsRebindingProtection } from './rs/dns-rebinding.ts';
import { protectedResourceMetadata, protectedResourceMetadataPaths } from './rs/protected-resource-metadata.ts';
import type { BearerResult } from './rs/require-bearer.ts';
import { requireBearer } from './rs/require-bearer.ts';

function json(ctx: Context, body: unknown) {
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD') {
    ctx.status = 405;
    ctx.set('Allow', 'GET, HEAD');
    ctx.body = { error: 'invalid_request', error_description: 'Use GET.' };
    return;
  }
  ctx.set('Access-Control-Allow-Origin', '*');
  ctx.set('Cache-Control', 'public, max-age=60');
  ctx.body = body;
}

export interface BuiltServer {
  rt: ServerRuntime;
  callback: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export function buildServer(base: Omit<ServerRuntime, 'provider'>): BuiltServer {
  const rt = base as ServerRuntime;
  const clientAdapter = new ClientAdapter(rt.clients, rt.cimd);
  const provider = new Provider(
    rt.def.issuer,
    withoutRequestStorage(
      configuration(rt, clientAdapter, {
        onReuse: (model, grantId) =>
          rt.flowLog.emit({
            traceId: newTrace().traceId,
            party: rt.party.as,
            step: 'revocation',
            outcome: 'denied',
            summary: `A used ${model === 'RefreshToken' ? 'refresh token' : 'authorization code'} was presented again: its whole grant family is revoked`,
            subject: { server: rt.def.name },
            data: { model, grant_id: grantId },
          }),
      }),
    ),
  );
  provider.proxy = false;
  rt.provider = provider;
  // Token-endpoint error handling on every AS; the jwt-bearer grant only where XAA is on.
  const classicRefused = classicTokenRefused(rt);
  const bearerRefused = jwtBearerRefused(rt);
  hostProvider(provider, {
    realm: rt.def.issuer,
    label: `as:${rt.def.name}`,
    // A classic-only server still reports a jwt-bearer attempt (the "before XAA" contrast).
    onOtherGrantError: (ctx, err, grantType) => (grantType === GRANT_TYPE_JWT_BEARER ? bearerRefused(ctx, err) : classicRefused(ctx, err, grantType)),
  });
  if (rt.def.xaa) registerGrant(provider, jwtBearerGrant(rt));
  attachEvents(provider, rt, clientAdapter);

  const mcp = nodeMcpHandler(rt, defaults.maxMcpBodyBytes);
  const hostnames = allowedHostnames(rt.def);
  const dns = dnsRebindingProtection(hostnames);
  const bearer = requireBearer(rt);
  const mcpPath = new URL(rt.def.resource).pathname;
  const prm = protectedResourceMetadata(rt.def);
  const asMetadata = authorizationServerMetadata(rt.def);
  // The metadata documents, and the `discovery` flow event each GET of one emits (in the caller's trace).
  const origin = new URL(rt.def.issuer).origin;
  const prmDoc = {
    // Read per request: `dpop_bound_access_tokens_required` follows the admin setting (RFC 9728 §2).
    get body() {
      return protectedResourceMetadata(rt.def, rt.settings.get().dpop_bound_access_tokens_required);
    },
    party: rt.party.mcp,
    summary: `Protected resource metadata for ${prm.resource}: authorization server ${prm.authorization_servers.join(', ')}`,
    specRef: 'RFC 9728 §3',
  };
  const metadataDocs = new Map<string, { body: unknown; party: `as:${string}` | `mcp:${string}`; summary: string; specRef: string }>([
    ...protectedResourceMetadataPaths(rt.def).map((p) => [p, prmDoc] as const),
    [
      '/.well-known/oauth-authorization-server',
      {
        body: asMetadata,
        party: rt.party.as,
        summary: `AS metadata of ${asMetadata.issuer}: token endpoint ${asMetadata.token_endpoint}; ${
          rt.def.xaa ? 'redeems ID-JAGs (jwt-bearer grant)' : 'classic OAuth only, no jwt-bearer grant'
        }`,
        specRef: 'RFC 8414 §3',
      },
    ],
  ]);
  const admin = adminSurface(rt);
  const interactions = interactionRoutes(rt);

  // RFC 9110 §7.2: a Host that is not host[:port] names no origin (a 400, never oidc-provider's 500).
  provider.use(validHost());
  provider.use(traceContext());
  provider.use(shareTrace());
  provider.use(introspectJwtAccessTokens(rt));
  provider.use(async (ctx, next) => {
    const doc = metadataDocs.get(ctx.path);
    if (doc) {
      json(ctx, doc.body);
      if (ctx.method === 'GET')
        rt.flowLog.emit({
          traceId: (ctx.state.trace as { traceId: string }).traceId,
          party: doc.party,
          step: 'discovery',
          outcome: 'ok',
          summary: doc.summary,
          subject: { server: rt.def.name },
          http: { method: 'GET', url: `${origin}${ctx.path}`, status: 200 },
          data: { document: ctx.path, specRef: doc.specRef },
        });
      return;
    }
    if (ctx.path === mcpPath) {
      return dns(ctx, () =>
        bearer(ctx, async () => {
          const auth = (ctx.state.bearer as Extract<BearerResult, { ok: true }>).authInfo;
          ctx.respond = false;
          const req = ctx.req as IncomingMessage & { auth?: AuthInfo };
          req.auth = auth;
          await mcp.handle(req as unknown as NodeIncomingMessageLike, ctx.res);
        }),
      );
    }
    await next();
  });
  // Every spelling of /admin ends in the guarded surface: its routers are reachable only through the guard.
  provider.use(admin);
  provider.use(interactions.routes());

  const koa = provider.callback() as unknown as (req: IncomingMessage, res: ServerResponse) => void;
  const callback = directMcpRoute(rt, {
    mcpPath,
    hostnames,
    mcp: mcp.handle,
    koa,
    onerror: (err) => console.error(`[mcp:${rt.def.name}] unexpected error:`, err),
  });
  return { rt, callback, close: () => mcp.close() };
}

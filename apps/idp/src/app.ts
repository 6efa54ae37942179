/**
 * Koa composition: trace context → the login interaction → SAML Web SSO (./saml) → the admin API → oidc-provider (mounted at
 * the root, so discovery, /authorize, /token, /jwks, /userinfo, /logout, /revoke are its own).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { traceContext } from '@xaa/node-kit';
import { shareTrace, validHost } from '@xaa/node-kit/oidc-host';
import Koa from 'koa';
import { adminApi } from './admin/router.ts';
import { adminTokenStatusRoute } from './admin-token-status.ts';
import type { AuditLog } from './audit.ts';
import type { IdpContext } from './context.ts';
import { interactionRoutes } from './interactions/routes.ts';
import type { ProviderHost } from './provider/host.ts';
import { samlRoutes } from './saml/routes.ts';

export function createApp(idp: IdpContext, host: ProviderHost, audit: AuditLog): Koa {
  const app = new Koa();
  app.proxy = false;
  app.silent = true;
  app.on('error', (err: Error & { status?: number; expose?: boolean }) => {
    if (!err.status || err.status >= 500) console.error('[idp] unexpected error:', err);
  });

  // RFC 9110 §7.2: a Host that is not host[:port] names no origin (a 400, never oidc-provider's 500).
  app.use(validHost());
  app.use(traceContext());
  app.use(shareTrace());

  const interactions = interactionRoutes(idp);
  app.use(interactions.routes());
  app.use(interactions.allowedMethods());

  const saml = samlRoutes(idp);
  app.use(saml.routes());
  app.use(saml.allowedMethods());

  app.use(adminTokenStatusRoute(idp));
  app.use(adminApi(idp, audit, host));

  app.use(async function oidcProvider(ctx) {
    ctx.respond = false;
    await (host.callback() as (req: IncomingMessage, res: ServerResponse) => Promise<void>)(ctx.req, ctx.res);
  });

  return app;
}

/**
 * Koa composition: trace context → the login interaction → SAML Web SSO (./saml) → the admin API → oidc-provider (mounted at
 * the root, so discovery, /authorize, /token, /jwks, /userinfo, /logout, /revoke are its own).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { traceContext } from '@xaa/node-kit';
import { answerDefect, hostCheck, shareTrace, traceNodeRequest, validHost } from '@xaa/node-kit/oidc-host';
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

/**
 * The Node request handler: `createApp`'s Koa app, except for `POST /token` with a valid Host, which
 * goes to oidc-provider directly. Nothing in front of oidc-provider answers that request (the login
 * interaction, SAML and admin routes all pass it on), so running them only costs time on the token
 * endpoint; what they do for it is done here the same way: the RFC 9110 §7.2 Host check (a request
 * that fails it takes the Koa path, which renders the 400) and the W3C trace context (`traceContext`,
 * `shareTrace`).
 */
export function requestHandler(app: Koa, host: ProviderHost): (req: IncomingMessage, res: ServerResponse) => void {
  const koa = app.callback();
  const isValidHost = hostCheck();
  return (req, res) => {
    if (req.method !== 'POST' || req.url !== '/token' || !isValidHost(req.headers.host ?? '')) {
      void koa(req, res);
      return;
    }
    traceNodeRequest(req, res);
    (host.callback() as (req: IncomingMessage, res: ServerResponse) => Promise<void>)(req, res).catch((err: unknown) => {
      // oidc-provider renders its own errors; this is a defect.
      app.emit('error', err);
      answerDefect(res);
    });
  };
}

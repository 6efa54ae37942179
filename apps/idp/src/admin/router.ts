/**
 * The admin API under `/admin` (docs/contracts.md "Admin APIs"): JSON, zod-validated, guarded by
 * `requireAdmin` — an RFC 9068 access token this IdP issued for `<issuer>/admin` with scope
 * `xaa:admin`. Nothing here answers anonymously; the OpenAPI document is the one public route.
 */
import { bodyParser } from '@koa/bodyparser';
import { allowedHostnamesFor, eventsRoutes, guardedSurface, hostCheck, jsonErrors, requireAdmin, surfaceRouter } from '@xaa/node-kit';
import type { Context, Middleware, Next } from 'koa';
import { adminTokenStatus } from '../admin-token-status.ts';
import type { AuditLog } from '../audit.ts';
import type { IdpContext } from '../context.ts';
import type { ProviderHost } from '../provider/host.ts';
import { appRoutes } from './apps.ts';
import { auditRoutes } from './audit.ts';
import type { AdminDeps } from './common.ts';
import { connectionRoutes } from './connections.ts';
import { directoryRoutes } from './directory.ts';
import { dpopRoutes } from './dpop.ts';
import { faultRoutes } from './faults.ts';
import { keyRoutes } from './keys.ts';
import { openApiDocument } from './openapi.ts';
import { samlRoutes } from './saml.ts';
import { scorecardRoutes } from './scorecard.ts';
import { serverRoutes } from './servers.ts';
import { simulateRoutes } from './simulate.ts';

/** Only JSON bodies on writes (415 otherwise); the parser's own errors become 400/413 via jsonErrors. */
function jsonOnly(): Middleware {
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: '100kb', encoding: 'utf-8' });
  return async function jsonOnly(ctx: Context, next: Next) {
    if (['POST', 'PUT', 'PATCH'].includes(ctx.method) && ctx.request.length !== 0 && ctx.get('content-length') !== '0') {
      if (!ctx.is('application/json')) {
        ctx.status = 415;
        ctx.body = { error: 'invalid_request', error_description: 'The admin API accepts application/json bodies only.' };
        return;
      }
      return parse(ctx, next);
    }
    await next();
  };
}

export function adminApi(idp: IdpContext, audit: AuditLog, host: ProviderHost): Middleware {
  const deps: AdminDeps = { idp, audit, host };
  const guard = requireAdmin({
    issuer: idp.issuer,
    audience: idp.adminAudience,
    jwks: (header, token) => idp.keys.verifier()(header, token),
    clientIds: [idp.topology.console.client.client_id, idp.topology.ops.client_id],
    status: async (_token, principal) => (principal ? adminTokenStatus(idp, principal.claims) : 'No token to check.'),
  });
  const routers = [
    directoryRoutes(deps),
    appRoutes(deps),
    serverRoutes(deps),
    connectionRoutes(deps),
    keyRoutes(deps),
    samlRoutes(deps),
    auditRoutes(deps),
    simulateRoutes(deps),
    scorecardRoutes(deps),
    faultRoutes(deps),
    dpopRoutes(deps),
  ];

  const openDoc = surfaceRouter();
  openDoc.get('/admin/openapi.json', (ctx) => {
    ctx.body = openApiDocument(idp);
  });
  const events = surfaceRouter('/admin');
  const feed = eventsRoutes(idp.flowLog, '/admin');
  events.get('/events', feed);
  events.get('/events/stream', feed);

  // Every spelling of /admin ends here (guardedSurface): the OpenAPI description is public; everything
  // else is mounted inside the admin-token guard, so an unknown path is a 401 for anonymous callers too.
  const surface = guardedSurface({
    prefix: '/admin',
    before: [
      async function noStore(ctx: Context, next: Next) {
        ctx.set('Cache-Control', 'no-store');
        await next();
      },
      jsonErrors('idp-admin'),
      hostCheck(allowedHostnamesFor([idp.issuer])),
    ],
    open: [openDoc],
    guard,
    routers: [jsonOnly(), ...routers, events],
    notFound: async function notFound(ctx: Context) {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: `No admin resource at ${ctx.method} ${ctx.path}.` };
    },
  });

  return async function admin(ctx: Context, next: Next) {
    await surface(ctx, next);
    if (ctx.status === 405 && ctx.response.get('allow'))
      ctx.body = { error: 'invalid_request', error_description: `${ctx.method} is not allowed on ${ctx.path} (allowed: ${ctx.response.get('allow')}).` };
  };
}

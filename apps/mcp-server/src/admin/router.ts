/**
 * The admin API of one server's origin (`/admin`, docs/decisions.md §2): like a SaaS's "Configure XAA" screen —
 * trusted IdPs of the AS, AS settings, registered clients, local users, a tool-data reset — plus the
 * events feed and its live stream. Guarded by `requireAdmin` (IdP-issued RFC 9068 token, `aud` =
 * `<origin>/admin`, scope `xaa:admin`). Bodies are validated with the @xaa/admin-contracts/resource-server schemas; unknown fields are a 400 with a
 * `fields` object naming each bad field (docs/contracts.md).
 */
import { randomBytes } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import type Router from '@koa/router';
import {
  type AsSettings,
  clientCreate,
  settingsPatch,
  type TrustedIssuer,
  trustedIssuerCreate,
  trustedIssuerPatch,
} from '@xaa/admin-contracts/resource-server';
import {
  allowedHostnamesFor,
  eventsRoutes,
  guardedSurface,
  hostCheck,
  idpAdminTokenStatus,
  invalidRequestBody,
  jsonErrors,
  requireAdmin,
  surfaceRouter,
} from '@xaa/node-kit';
import { GRANT_TYPE_JWT_BEARER } from '@xaa/protocol';
import type { Context, Middleware } from 'koa';
import { errors as oidcErrors } from 'oidc-provider';
import { z } from 'zod';
import { defaults } from '../config.ts';
import type { ServerRuntime } from '../context.ts';

function invalid(ctx: Context, error: z.ZodError) {
  ctx.status = 400;
  ctx.body = invalidRequestBody(error.issues);
}

function parse<T extends z.ZodType>(ctx: Context, schema: T): z.infer<T> | undefined {
  const result = schema.safeParse(ctx.request.body ?? {});
  if (!result.success) {
    invalid(ctx, result.error);
    return undefined;
  }
  return result.data;
}

function notFound(ctx: Context, what: string) {
  ctx.status = 404;
  ctx.body = { error: 'not_found', error_description: `${what} does not exist.` };
}

const publicClient = (c: { client_id: string; metadata: Record<string, unknown>; source: string; created_at: number }) => {
  const { client_secret: _s, registration_access_token: _r, ...metadata } = c.metadata;
  return { client_id: c.client_id, source: c.source, created_at: c.created_at, ...metadata };
};

/**
 * The whole `/admin` surface of this origin: every spelling of the prefix ends here, and the routers
 * are mounted inside the admin-token guard (node-kit `guardedSurface`), so an unknown or oddly spelled
 * admin path is a 401 for anonymous callers and a 404 for admins — never a handler.
 */
export function adminSurface(rt: ServerRuntime): Middleware {
  return guardedSurface({
    prefix: '/admin',
    before: [
      async function noStore(ctx, next) {
        ctx.set('Cache-Control', 'no-store');
        await next();
      },
      // Admin errors are JSON (docs/contracts.md "Admin APIs"): a body the parser refuses is a 4xx, never Koa's text 500.
      jsonErrors(`admin:${rt.def.name}`),
      hostCheck(allowedHostnamesFor([rt.def.issuer, rt.def.admin])),
    ],
    guard: requireAdmin({
      issuer: rt.topology.idp.issuer,
      audience: rt.def.admin,
      clientIds: [rt.topology.console.client.client_id, rt.topology.ops.client_id],
      status: idpAdminTokenStatus(rt.topology.idp.issuer),
    }),
    routers: adminRouters(rt),
    notFound: async (ctx) => {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: 'There is no such admin route.' };
    },
  });
}

export function adminRouters(rt: ServerRuntime): Router[] {
  const router = surfaceRouter('/admin');
  // `/admin` itself: a strict router with a prefix would spell its root route `/admin/`.
  const root = surfaceRouter();
  const json = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' });
  const change = (ctx: Context, summary: string, data: Record<string, unknown>) =>
    rt.flowLog.emit({
      traceId: ctx.state.trace.traceId,
      party: rt.party.as,
      step: 'admin.change',
      outcome: 'ok',
      summary,
      subject: { server: rt.def.name, user: String((ctx.state.admin as { sub?: string } | undefined)?.sub ?? 'admin') },
      data,
    });

  const events = eventsRoutes(rt.flowLog);
  router.get('/events', (ctx, next) => events(ctx, next));
  router.get('/events/stream', (ctx, next) => events(ctx, next));

  root.get('/admin', (ctx) => {
    ctx.body = {
      server: { name: rt.def.name, title: rt.def.title, issuer: rt.def.issuer, resource: rt.def.resource, scopes: rt.def.scopes, xaa: rt.def.xaa },
      settings: rt.settings.get(),
      trusted_issuers: rt.trust.list().length,
      clients: rt.clients.list().length,
      users: rt.users.list().length,
      tools: rt.tools.tools.map((t) => ({ name: t.name, scope: t.scope })),
    };
  });

  // Trusted IdPs ("Configure XAA").
  router.get('/trusted-issuers', (ctx) => {
    ctx.body = { trusted_issuers: rt.trust.list() satisfies TrustedIssuer[] };
  });
  router.post('/trusted-issuers', json, (ctx) => {
    const body = parse(ctx, trustedIssuerCreate);
    if (!body) return;
    if (!rt.def.xaa) {
      ctx.status = 409;
      ctx.body = { error: 'conflict', error_description: `${rt.def.title} speaks classic OAuth only; it does not redeem ID-JAGs.` };
      return;
    }
    const added = rt.trust.add({
      issuer: body.issuer,
      jwks_uri: body.jwks_uri,
      algorithms: body.algorithms ?? [...defaults.idJagAlgorithms],
      enabled: body.enabled ?? true,
    });
    if (!added) {
      ctx.status = 409;
      ctx.body = { error: 'conflict', error_description: `${body.issuer} is already trusted.` };
      return;
    }
    change(ctx, `Trusted IdP added: ${body.issuer}`, { trusted_issuer: body.issuer });
    ctx.status = 201;
    ctx.body = rt.trust.get(body.issuer);
  });
  router.patch('/trusted-issuers/:issuer', json, (ctx) => {
    const body = parse(ctx, trustedIssuerPatch);
    if (!body) return;
    const updated = rt.trust.update(ctx.params.issuer as string, body);
    if (!updated) return notFound(ctx, `Trusted issuer ${ctx.params.issuer}`);
    change(ctx, `Trusted IdP updated: ${updated.issuer}`, { trusted_issuer: updated.issuer, ...body });
    ctx.body = updated;
  });
  router.delete('/trusted-issuers/:issuer', (ctx) => {
    if (!rt.trust.remove(ctx.params.issuer as string)) return notFound(ctx, `Trusted issuer ${ctx.params.issuer}`);
    change(ctx, `Trusted IdP removed: ${ctx.params.issuer}`, { trusted_issuer: ctx.params.issuer });
    ctx.status = 204;
  });

  // AS settings.
  router.get('/settings', (ctx) => {
    ctx.body = rt.settings.get() satisfies AsSettings;
  });
  router.patch('/settings', json, (ctx) => {
    const body = parse(ctx, settingsPatch);
    if (!body) return;
    const next = rt.settings.update(body);
    change(ctx, `Settings changed: ${Object.keys(body).join(', ') || 'nothing'}`, { settings: body });
    ctx.body = next satisfies AsSettings;
  });

  // Registered clients.
  router.get('/clients', (ctx) => {
    ctx.body = { clients: rt.clients.list().map(publicClient) };
  });
  router.post('/clients', json, async (ctx) => {
    const body = parse(ctx, clientCreate);
    if (!body) return;
    const clientId = body.client_id ?? `client-${randomBytes(8).toString('hex')}`;
    if (rt.clients.get(clientId)) {
      ctx.status = 409;
      ctx.body = { error: 'conflict', error_description: `Client ${clientId} already exists.` };
      return;
    }
    if (!rt.def.xaa && body.grant_types.includes(GRANT_TYPE_JWT_BEARER)) {
      invalid(
        ctx,
        new z.ZodError([{ code: 'custom', path: ['grant_types'], message: `${rt.def.title} does not support the jwt-bearer grant`, input: body.grant_types }]),
      );
      return;
    }
    const secretBased = body.token_endpoint_auth_method === 'client_secret_basic' || body.token_endpoint_auth_method === 'client_secret_post';
    const metadata: Record<string, unknown> = {
      client_id: clientId,
      client_name: body.client_name,
      token_endpoint_auth_method: body.token_endpoint_auth_method,
      grant_types: body.grant_types,
      response_types: body.grant_types.includes('authorization_code') ? ['code'] : [],
      redirect_uris: body.redirect_uris ?? [],
      ...(secretBased ? { client_secret: body.client_secret ?? randomBytes(24).toString('base64url') } : {}),
      ...(body.jwks ? { jwks: body.jwks } : {}),
      ...(body.jwks_uri ? { jwks_uri: body.jwks_uri } : {}),
    };
    try {
      await rt.provider.Client.validate(metadata as never);
    } catch (e) {
      if (e instanceof oidcErrors.InvalidClientMetadata || e instanceof oidcErrors.InvalidRedirectUri) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: String((e as { error_description?: string }).error_description ?? e.message), fields: {} };
        return;
      }
      throw e;
    }
    rt.clients.put(clientId, metadata, 'admin');
    change(ctx, `Client registered: ${body.client_name} (${clientId})`, { client_id: clientId });
    ctx.status = 201;
    ctx.body = {
      ...publicClient({ client_id: clientId, metadata, source: 'admin', created_at: rt.nowSeconds() }),
      ...(metadata.client_secret ? { client_secret: metadata.client_secret } : {}),
    };
  });
  router.delete('/clients/:client_id', (ctx) => {
    if (!rt.clients.remove(ctx.params.client_id as string)) return notFound(ctx, `Client ${ctx.params.client_id}`);
    change(ctx, `Client deleted: ${ctx.params.client_id}`, { client_id: ctx.params.client_id });
    ctx.status = 204;
  });

  // Local users.
  router.get('/users', (ctx) => {
    ctx.body = { users: rt.users.list() };
  });
  router.delete('/users/:id', (ctx) => {
    const user = rt.users.get(ctx.params.id as string);
    if (!user || !rt.users.remove(user.id)) return notFound(ctx, `User ${ctx.params.id}`);
    change(ctx, `Local user deleted: ${user.username}`, { user_id: user.id });
    ctx.status = 204;
  });

  // Tool data.
  router.post('/data/reset', (ctx) => {
    rt.db.transaction(() => {
      rt.tools.reset(rt.db, rt.def.name);
      for (const u of rt.users.list()) rt.tools.seedUser(rt.db, rt.def.name, u.id, rt.nowSeconds());
    })();
    change(ctx, `Tool data reset for ${rt.def.title}`, {});
    ctx.body = { reset: true, users: rt.users.list().length };
  });

  return [root, router];
}

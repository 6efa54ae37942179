/**
 * The agent's HTTP surface (Koa), at `http://localhost:4200` by default:
 *
 *  - `GET /callback` — the redirect URI of the SSO login and of the classic flow;
 *  - `POST /saml/acs` — the Assertion Consumer Service of the SAML apps (SAML Bindings §3.5);
 *  - the agent API for the console under `/admin/agent/…` (login, connect, call, refresh, logout,
 *    status; `PUT|DELETE /admin/agent/servers/{name}` teaches it a server added at run time), guarded like every admin API (contracts: IdP-issued RFC 9068 token, `aud` = this API's
 *    `/admin` URL, scope `xaa:admin`), and the agent's flow events at `/admin/events[/stream]`.
 *
 * A console click that carries a `traceparent` continues that trace: one user action, one trace.
 */
import { bodyParser } from '@koa/bodyparser';
import { callBody, connectBody, loginBody, serverName, serverPut, whoBody } from '@xaa/admin-contracts/agent';
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
  traceContext,
} from '@xaa/node-kit';
import type { JWTVerifyGetKey } from 'jose';
import Koa, { type Context } from 'koa';
import type { z } from 'zod';
import { type Agent, ServerConflict, UsageProblem } from './agent.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"'`=/]/g, (c) => `&#${c.charCodeAt(0)};`);

export function callbackPage(r: { outcome: string; message: string }): string {
  const ok = r.outcome === 'ok';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${ok ? 'Signed in' : 'Sign-in failed'} · XAA Playground agent</title>
<style>body{font:15px/1.5 system-ui,sans-serif;background:#f4f5f7;margin:0}main{max-width:460px;margin:48px auto;background:#fff;padding:28px 32px;border-radius:10px;box-shadow:0 1px 4px #0002}</style>
</head><body><main><h1>${ok ? '✓ Done' : '✗ Not done'}</h1><p>${escapeHtml(r.message)}</p></main></body></html>`;
}

function parse<T>(schema: z.ZodType<T>, ctx: Context, input: unknown): T | undefined {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  ctx.status = 400;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = invalidRequestBody(r.error.issues);
  return undefined;
}

const defined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export interface ApiOptions {
  /** The IdP issuer that signs admin-API tokens. */
  issuer: string;
  /** This API's audience: `<agent origin>/admin`. */
  adminAudience: string;
  /** The clients whose admin tokens are accepted (the console's and the ops client's). */
  adminClientIds?: readonly string[];
  jwks?: JWTVerifyGetKey;
}

export function createApp(agent: Agent, options: ApiOptions): Koa {
  const app = new Koa();
  app.proxy = false;
  app.use(jsonErrors('agent'));
  app.use(traceContext());

  const open = surfaceRouter();
  const redirectPath = new URL(agent.config.redirectUri).pathname;
  open.get(redirectPath, async (ctx) => {
    const r = await agent.handleCallback(new URL(ctx.originalUrl, agent.config.agent.url));
    ctx.status = r.outcome === 'ok' ? 200 : 400;
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = callbackPage(r);
  });
  // SAML ACS (HTTP-POST binding, SAML Bindings §3.5): where the IdP's form posts the SAMLResponse.
  const form = bodyParser({ enableTypes: ['form'], formLimit: '256kb', encoding: 'utf-8' });
  for (const acsPath of new Set(agent.config.apps.flatMap((a) => (a.saml ? [new URL(a.saml.acs_url).pathname] : [])))) {
    open.post(acsPath, form, async (ctx) => {
      const r = await agent.handleSamlAcs((ctx.request as { body?: Record<string, unknown> }).body ?? {});
      ctx.status = r.outcome === 'ok' ? 200 : 400;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = callbackPage(r);
    });
  }
  open.get('/', (ctx) => {
    ctx.body = {
      name: 'XAA Playground agent',
      callback: agent.config.redirectUri,
      api: `${agent.config.agent.url}/admin/agent`,
      events: `${agent.config.agent.url}/admin/events`,
    };
  });
  app.use(open.routes());
  app.use(open.allowedMethods());

  const guard = requireAdmin({
    issuer: options.issuer,
    audience: options.adminAudience,
    ...(options.adminClientIds ? { clientIds: options.adminClientIds } : {}),
    status: idpAdminTokenStatus(options.issuer),
    ...(options.jwks ? { jwks: options.jwks } : {}),
  });
  const feed = eventsRoutes(agent.flowLog, '/admin');
  const events = surfaceRouter('/admin');
  events.get('/events', feed);
  events.get('/events/stream', feed);
  const admin = surfaceRouter('/admin/agent');
  const body = bodyParser({ enableTypes: ['json'], jsonLimit: '64kb', encoding: 'utf-8' });
  const trace = (ctx: Context) => ctx.state.trace?.traceId as string | undefined;

  const run = async (ctx: Context, fn: () => Promise<unknown>) => {
    try {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = await fn();
    } catch (e) {
      if (e instanceof UsageProblem) {
        ctx.status = 400;
        ctx.body = { error: 'invalid_request', error_description: e.message, ...(e.fields ? { fields: e.fields } : {}) };
        return;
      }
      if (e instanceof ServerConflict) {
        ctx.status = 409;
        ctx.body = { error: 'conflict', error_description: e.message };
        return;
      }
      throw e;
    }
  };

  admin.post('/login', body, async (ctx) => {
    const b = parse(loginBody, ctx, ctx.request.body);
    if (b) await run(ctx, () => agent.login(defined({ ...b, traceId: trace(ctx) })));
  });
  admin.post('/connect', body, async (ctx) => {
    const b = parse(connectBody, ctx, ctx.request.body);
    if (b) await run(ctx, () => agent.connect(defined({ ...b, traceId: trace(ctx) })));
  });
  admin.post('/call', body, async (ctx) => {
    const b = parse(callBody, ctx, ctx.request.body);
    if (b) await run(ctx, () => agent.call(defined({ ...b, traceId: trace(ctx) })));
  });
  admin.post('/refresh', body, async (ctx) => {
    const b = parse(whoBody, ctx, ctx.request.body);
    if (b) await run(ctx, () => agent.refresh(defined({ ...b, traceId: trace(ctx) })));
  });
  admin.post('/logout', body, async (ctx) => {
    const b = parse(whoBody, ctx, ctx.request.body);
    if (b) await run(ctx, async () => ({ outcome: 'ok', ...agent.logout(defined(b)) }));
  });
  // A server added at run time (the console's "Add a server"): kept in client.db, listed in the status.
  const named = (ctx: Context): string | undefined => {
    const r = serverName.safeParse(ctx.params.name);
    if (r.success) return r.data;
    ctx.status = 400;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      error: 'invalid_request',
      error_description: `The server name: ${r.error.issues[0]?.message ?? 'invalid'}`,
      fields: { name: r.error.issues[0]?.message ?? 'invalid' },
    };
    return undefined;
  };
  admin.get('/servers', async (ctx) => {
    await run(ctx, async () => ({ servers: agent.servers() }));
  });
  admin.put('/servers/:name', body, async (ctx) => {
    const name = named(ctx);
    const b = name ? parse(serverPut, ctx, ctx.request.body) : undefined;
    if (name && b)
      await run(ctx, async () => {
        const r = agent.putServer(name, b);
        ctx.status = r.created ? 201 : 200;
        return r.server;
      });
  });
  admin.delete('/servers/:name', async (ctx) => {
    const name = named(ctx);
    if (name)
      await run(ctx, async () => {
        agent.deleteServer(name);
        ctx.status = 204;
        return null;
      });
  });
  admin.get('/status', async (ctx) => {
    const q = parse(whoBody, ctx, Object.fromEntries(Object.entries(ctx.query).filter(([, v]) => typeof v === 'string')));
    if (q) await run(ctx, () => agent.status(defined(q)));
  });

  const notFound = async (ctx: Context) => {
    ctx.status = 404;
    ctx.body = { error: 'not_found', error_description: `No route for ${ctx.method} ${ctx.path}.` };
  };
  // Every spelling of /admin ends in the guarded surface; its routers are reachable only through the guard.
  app.use(
    guardedSurface({
      prefix: '/admin',
      before: [hostCheck(allowedHostnamesFor([agent.config.agent.url]))],
      guard,
      routers: [events, admin],
      notFound,
    }),
  );
  app.use(notFound);
  return app;
}

/** Koa composition of the console backend: named middleware, in order. */

import { allowedHostnamesFor, guardedSurface, hostCheck, idpAdminTokenStatus } from '@xaa/node-kit';
import { SCENARIOS } from '@xaa/scenarios';
import type { Topology } from '@xaa/topology';
import Koa from 'koa';
import { adminApis } from './admin-apis.ts';
import { AdminTokens } from './admin-tokens.ts';
import type { ConsoleConfig } from './config.ts';
import { IdpClient } from './idp-client.ts';
import { addServerRoutes } from './routes/add-server.ts';
import { authRoutes, guardApi, loadSession, requireAdminSession, sessionRoute } from './routes/auth.ts';
import { eventsRoutes } from './routes/events.ts';
import { inspectRoutes } from './routes/inspect.ts';
import { proxyRoutes } from './routes/proxy.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { scorecardRoutes } from './routes/scorecard.ts';
import type { SessionStore } from './sessions.ts';

export interface AppDeps {
  topology: Topology;
  config: ConsoleConfig;
  sessions: SessionStore;
  fetchFn: typeof fetch;
  log: (message: string) => void;
  /** Serves the SPA (static files or Vite middleware). */
  spa: Koa.Middleware;
}

/** What the SPA may know about the playground: URLs and names, never secrets. */
export function publicInfo(t: Topology) {
  return {
    playground: {
      idp: { issuer: t.idp.issuer },
      servers: t.servers.map((s) => ({ name: s.name, title: s.title, issuer: s.issuer, resource: s.resource, scopes: s.scopes, xaa: s.xaa })),
      clients: t.clients.map((c) => ({ name: c.name, title: c.title })),
      agent: { url: t.agent.url },
      // Its own OIDC client id (public): the live view hides the console's own sign-in and admin-token traffic by it.
      console: { url: t.console.url, client_id: t.console.client.client_id },
    },
  };
}

export function createApp(deps: AppDeps): Koa {
  const { topology: t, config, sessions, fetchFn, log } = deps;
  const idp = IdpClient.fromTopology(t);
  const apis = adminApis(t);
  const tokens = new AdminTokens(idp, sessions, config);
  const issuers = [{ issuer: t.idp.issuer, label: 'IdP' }, ...t.servers.map((s) => ({ issuer: s.issuer, label: `${s.title} AS` }))];
  const status = idpAdminTokenStatus(t.idp.issuer, fetchFn);
  const authDeps = { sessions, idp, config, consoleUrl: t.console.url, publicInfo: () => publicInfo(t), log };
  // Stateful (runs in memory, one scorecard at a time): built once, not per request.
  const scenarios = scenarioRoutes({ topology: t, tokens, scenarios: SCENARIOS, fetchFn, log });
  const scorecard = scorecardRoutes({ topology: t, tokens, fetchFn, log });
  const addServer = addServerRoutes({ topology: t, tokens, fetchFn, log });

  const app = new Koa();
  app.proxy = false;
  app.use(async function errors(ctx, next) {
    try {
      await next();
    } catch (e) {
      const err = e as { status?: number; expose?: boolean; message?: string };
      ctx.set('Cache-Control', 'no-store');
      if (err.status && err.status < 500) {
        ctx.status = err.status;
        ctx.body = { error: err.status === 413 ? 'request_too_large' : 'invalid_request', error_description: err.expose ? err.message : 'Bad request.' };
        return;
      }
      log(`unexpected error: ${(e as Error).stack ?? String(e)}`);
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'An unexpected error occurred in the console backend.' };
    }
  });
  app.use(loadSession(authDeps));
  // Same-origin and CSRF checks for every spelling of /api and for the logout.
  app.use(guardApi(authDeps));
  app.use(authRoutes(authDeps));
  // Every spelling of /api ends in the guarded surface; the console APIs are mounted inside the
  // signed-in-admin guard (only `GET /api/session` answers before it).
  app.use(
    guardedSurface({
      prefix: '/api',
      before: [hostCheck(allowedHostnamesFor([t.console.url]))],
      open: [sessionRoute(authDeps)],
      guard: requireAdminSession({ status, sessions }),
      routers: [
        scenarios,
        scorecard,
        addServer,
        eventsRoutes({ apis, tokens, config, fetchFn, sessions, status }),
        inspectRoutes({ issuers, fetchFn, timeoutMs: 5000 }),
        proxyRoutes({ apis, tokens, config, fetchFn }),
      ],
      notFound: async (ctx) => {
        ctx.status = 404;
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { error: 'not_found', error_description: `No console API at ${ctx.path}.` };
      },
    }),
  );
  app.use(deps.spa);
  return app;
}

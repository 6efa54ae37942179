/**
 * The AS attack scorecard (`@xaa/scorecard`, `xaa test-as`) from the console:
 *
 * - `GET  /api/scorecard/targets`  the playground's own authorization servers and the client ids
 *                                  registered there (never a secret)
 * - `POST /api/scorecard/as`       runs the scorecard → `{ report, junit }`
 *
 * The body names either a playground server (`{ server, app }`: the backend fills in the issuer,
 * resource and that app's registration, secret included — playground secrets never reach the
 * browser) or any AS (`{ issuer, resource, clientId, clientSecret }`). Test ID-JAGs are minted
 * through the IdP admin API with the signed-in admin's own token, so the IdP's audit names them.
 */
import { renderJunit, runAsScorecard, type ScorecardReport } from '@xaa/scorecard';
import type { Topology } from '@xaa/topology';
import type { Context, Middleware, Next } from 'koa';
import { z } from 'zod';
import { type AdminTokens, SignedOut } from '../admin-tokens.ts';
import { readJson } from '../json-body.ts';

export interface ScorecardTarget {
  server: string;
  title: string;
  issuer: string;
  resource: string;
  xaa: boolean;
  registrations: Array<{ app: string; title: string; client_id: string }>;
}

/** The playground's servers as scorecard targets: URLs and client ids only. */
export function scorecardTargets(t: Topology): ScorecardTarget[] {
  return t.servers.map((s) => ({
    server: s.name,
    title: s.title,
    issuer: s.issuer,
    resource: s.resource,
    xaa: s.xaa,
    registrations: t.clients.flatMap((c) => {
      const reg = c.servers[s.name];
      return reg ? [{ app: c.name, title: c.title, client_id: reg.client_id }] : [];
    }),
  }));
}

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.hash && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without fragment or credentials');
const name = z.string().trim().min(1).max(200);

const PlaygroundBody = z.object({
  server: z.string().regex(/^[a-z0-9-]{1,64}$/, 'unknown server'),
  app: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'unknown app')
    .optional(),
  cases: z.array(name).max(100).optional(),
});
const CustomBody = z.object({
  issuer: httpUrl,
  resource: httpUrl,
  clientId: name,
  /** May be empty when the AS is a playground server and `clientId` one of its registrations. */
  clientSecret: z.string().max(2000).optional(),
  cases: z.array(name).max(100).optional(),
});

export type ResolvedTarget = {
  issuer: string;
  resource: string;
  clientId: string;
  clientSecret: string;
  otherClientId?: string;
  otherResource?: string;
};

type Resolved = { ok: true; target: ResolvedTarget; cases?: string[] } | { ok: false; fields: Record<string, string>; description: string };

/** The scorecard options for a request body, secrets filled in from the topology for its own servers. */
export function resolveTarget(t: Topology, body: unknown): Resolved {
  const fieldsOf = (e: z.ZodError) => Object.fromEntries(e.issues.map((i) => [i.path.join('.') || 'body', i.message]));
  const extras = (serverName: string, clientId: string) => ({
    ...(() => {
      const other = t.clients.map((c) => c.servers[serverName]?.client_id).find((id) => id && id !== clientId);
      return other ? { otherClientId: other } : {};
    })(),
    ...(() => {
      const other = t.servers.find((s) => s.name !== serverName)?.resource;
      return other ? { otherResource: other } : {};
    })(),
  });
  if (body && typeof body === 'object' && 'server' in body) {
    const parsed = PlaygroundBody.safeParse(body);
    if (!parsed.success) return { ok: false, fields: fieldsOf(parsed.error), description: 'Pick one of the playground servers.' };
    const server = t.servers.find((s) => s.name === parsed.data.server);
    if (!server) return { ok: false, fields: { server: 'unknown server' }, description: `No playground server ${parsed.data.server}.` };
    const appName = parsed.data.app ?? 'acme-agent';
    const reg = t.clients.find((c) => c.name === appName)?.servers[server.name];
    if (!reg) return { ok: false, fields: { app: 'no registration' }, description: `${appName} has no registration at ${server.title}.` };
    return {
      ok: true,
      target: {
        issuer: server.issuer,
        resource: server.resource,
        clientId: reg.client_id,
        clientSecret: reg.client_secret,
        ...extras(server.name, reg.client_id),
      },
      ...(parsed.data.cases ? { cases: parsed.data.cases } : {}),
    };
  }
  const parsed = CustomBody.safeParse(body);
  if (!parsed.success) return { ok: false, fields: fieldsOf(parsed.error), description: 'The issuer, resource, client id and client secret are needed.' };
  const d = parsed.data;
  const server = t.servers.find((s) => s.issuer === d.issuer);
  let secret = d.clientSecret ?? '';
  if (server && !secret) secret = t.clients.map((c) => c.servers[server.name]).find((r) => r?.client_id === d.clientId)?.client_secret ?? '';
  if (!secret) return { ok: false, fields: { clientSecret: 'required' }, description: 'The client secret of the test client at that AS is needed.' };
  return {
    ok: true,
    target: { issuer: d.issuer, resource: d.resource, clientId: d.clientId, clientSecret: secret, ...(server ? extras(server.name, d.clientId) : {}) },
    ...(d.cases ? { cases: d.cases } : {}),
  };
}

export interface ScorecardRouteDeps {
  topology: Topology;
  tokens: AdminTokens;
  fetchFn: typeof fetch;
  log: (message: string) => void;
  /** Per-request timeout towards the AS under test (ms). */
  timeoutMs?: number;
}

export function scorecardRoutes(deps: ScorecardRouteDeps): Middleware {
  const t = deps.topology;
  const targets = { targets: scorecardTargets(t), idp: t.idp.issuer };
  // One run at a time: a run is ~40 token requests and a loopback rogue IdP; two cores are shared.
  let running: string | undefined;

  return async function scorecard(ctx: Context, next: Next) {
    if (!ctx.path.startsWith('/api/scorecard/') && ctx.path !== '/api/scorecard') return next();
    const session = ctx.state.session;
    const sessionId = ctx.state.sessionId;
    if (!session?.data.user || !sessionId) return next();
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path === '/api/scorecard/targets') {
      if (ctx.method !== 'GET') {
        ctx.status = 405;
        ctx.set('Allow', 'GET');
        ctx.body = { error: 'method_not_allowed', error_description: 'Use GET here.' };
        return;
      }
      ctx.body = targets;
      return;
    }
    if (ctx.path !== '/api/scorecard/as') {
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: `No console API at ${ctx.path}.` };
      return;
    }
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      ctx.set('Allow', 'POST');
      ctx.body = { error: 'method_not_allowed', error_description: 'Use POST here.' };
      return;
    }
    const resolved = resolveTarget(t, await readJson(ctx, 16 * 1024));
    if (!resolved.ok) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: resolved.description, fields: resolved.fields };
      return;
    }
    if (running) {
      ctx.status = 409;
      ctx.body = { error: 'scorecard_running', error_description: `A scorecard run is in progress (${running}); try again when it has finished.` };
      return;
    }
    running = resolved.target.issuer;
    try {
      let adminToken: string;
      try {
        adminToken = await deps.tokens.get(session.key, sessionId, t.idp.admin);
      } catch (e) {
        if (e instanceof SignedOut) {
          ctx.status = 401;
          ctx.body = { error: 'login_required', error_description: e.message };
          return;
        }
        ctx.status = 502;
        ctx.body = { error: 'token_unavailable', error_description: `The IdP did not issue an admin token: ${(e as Error).message}` };
        return;
      }
      let report: ScorecardReport;
      try {
        report = await runAsScorecard({
          ...resolved.target,
          ...(resolved.cases ? { cases: resolved.cases } : {}),
          idp: { issuer: t.idp.issuer, admin: t.idp.admin, adminToken },
          fetch: deps.fetchFn,
          timeoutMs: deps.timeoutMs ?? 10_000,
        });
      } catch (e) {
        // The run could not start (IdP unreachable, admin token refused …): a clear 502.
        deps.log(`scorecard: ${(e as Error).message}`);
        ctx.status = 502;
        ctx.body = { error: 'scorecard_failed', error_description: (e as Error).message };
        return;
      }
      deps.log(`scorecard: ${report.title}: score ${report.summary.score}%`);
      ctx.body = { report, junit: renderJunit(report) };
    } finally {
      running = undefined;
    }
  };
}

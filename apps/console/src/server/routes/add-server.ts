/**
 * "Add a server" (the console side of `xaa add-server`), with the signed-in admin's own IdP admin
 * token, so the IdP's audit names them:
 *
 * - `POST /api/add-server/discover`  `{ url }` → `{ discovery }`: 401 → RFC 9728 → RFC 8414, a
 *                                    finding per step (never registers anything)
 * - `POST /api/add-server/register`  `{ url, app?, name?, title?, scopes?, groups?, clientId?,
 *                                    clientSecret?, connect? }` → `{ discovery, added }`; discovers
 *                                    again here (the browser's copy is not trusted) and registers
 *                                    only when nothing is missing; then tells the running agent
 *                                    (`PUT <agent>/admin/agent/servers/{name}`, the admin's token for
 *                                    that API) so the Agent page can connect to it → `added.agent`
 * - `POST /api/add-server/scorecard` `{ url, clientId, clientSecret }` → `{ report, trust, junit }`: the AS
 *                                    scorecard against a server registered at the IdP
 *
 * Answers: 400 `invalid_request` with `fields` for a bad body, 409 `not_ready` (with the discovery)
 * when something is missing, 422 `refused` (with `fix`) when the IdP refuses a step, 502 when the
 * IdP cannot be used. The values shown are what the admin configures at their own AS; the client
 * secret is theirs to register, so it is shown once, here, and kept nowhere.
 */
import {
  type AddServerResult,
  addServer,
  agentServerBody,
  BadServerUrl,
  configureValues,
  discoverMcpServer,
  IdpAdmin,
  OnboardError,
  renderJunit,
  type ScorecardReport,
  type ServerDiscovery,
  scoreAddedServer,
  trustFinding,
} from '@xaa/scorecard';
import type { Topology } from '@xaa/topology';
import type { Context, Middleware, Next } from 'koa';
import { z } from 'zod';
import { type AdminTokens, SignedOut } from '../admin-tokens.ts';
import { readJson } from '../json-body.ts';

export interface AddServerRouteDeps {
  topology: Topology;
  tokens: AdminTokens;
  fetchFn: typeof fetch;
  log: (message: string) => void;
  /** Per-request timeout towards the server being added (ms). */
  timeoutMs?: number;
}

/** What the sample agent answered when told about the added server. */
export type AgentAnswer = { ok: true; server: string } | { ok: false; error: string; error_description: string };

const url = z.string().trim().min(1, 'required').max(2000);
const slug = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, dot, dash or underscore');
const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'not a scope token (RFC 6749 §3.3)');
const clientId = z.string().trim().min(1, 'required').max(256);
const secret = z.string().min(1, 'required').max(2000);

const DiscoverBody = z.strictObject({ url });
const RegisterBody = z.strictObject({
  url,
  app: slug.optional(),
  name: slug.optional(),
  title: z.string().trim().min(1).max(200).optional(),
  scopes: z.array(scopeToken).min(1).max(100).optional(),
  groups: z.array(slug).min(1).max(100).optional(),
  clientId: clientId.optional(),
  clientSecret: secret.optional(),
  connect: z.boolean().optional(),
});
const ScorecardBody = z.strictObject({ url, clientId, clientSecret: secret });

function invalid(ctx: Context, e: z.ZodError, description: string) {
  ctx.status = 400;
  ctx.body = {
    error: 'invalid_request',
    error_description: description,
    fields: Object.fromEntries(e.issues.map((i) => [i.path.join('.') || 'body', i.message])),
  };
}

export function addServerRoutes(deps: AddServerRouteDeps): Middleware {
  const t = deps.topology;
  const http = { fetch: deps.fetchFn, timeoutMs: deps.timeoutMs ?? 10_000 };
  let scoring: string | undefined;

  async function idpFor(ctx: Context): Promise<IdpAdmin | undefined> {
    const session = ctx.state.session;
    const sessionId = ctx.state.sessionId;
    if (!session || !sessionId) return undefined;
    try {
      const adminToken = await deps.tokens.get(session.key, sessionId, t.idp.admin);
      return new IdpAdmin({ issuer: t.idp.issuer, admin: t.idp.admin, adminToken, ...http });
    } catch (e) {
      ctx.status = e instanceof SignedOut ? 401 : 502;
      ctx.body =
        e instanceof SignedOut
          ? { error: 'login_required', error_description: e.message }
          : { error: 'token_unavailable', error_description: `The IdP did not issue an admin token: ${(e as Error).message}` };
      return undefined;
    }
  }

  async function discover(ctx: Context, target: string): Promise<ServerDiscovery | undefined> {
    try {
      return await discoverMcpServer(target, http);
    } catch (e) {
      if (!(e instanceof BadServerUrl)) throw e;
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: e.message, fields: { url: 'an http(s) URL of an MCP endpoint' } };
      return undefined;
    }
  }

  /**
   * The sample agent learns the server and the app's registration at its AS, so it can connect to it
   * now (and after a restart). The IdP registration stands either way: a failure here is reported in
   * `added.agent`, with what to do.
   */
  async function tellAgent(ctx: Context, added: AddServerResult): Promise<AgentAnswer> {
    const session = ctx.state.session as { key: string };
    const sessionId = ctx.state.sessionId as string;
    const url = `${t.agent.admin}/agent/servers/${encodeURIComponent(added.server.name)}`;
    const body = JSON.stringify(agentServerBody(added));
    try {
      const send = async (force: boolean) =>
        deps.fetchFn(url, {
          method: 'PUT',
          headers: { authorization: `Bearer ${await deps.tokens.get(session.key, sessionId, t.agent.admin, force)}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(http.timeoutMs),
        });
      let res = await send(false);
      if (res.status === 401) {
        await res.body?.cancel();
        res = await send(true);
      }
      const answer = (await res.json().catch(() => undefined)) as { error?: string; error_description?: string } | undefined;
      if (res.ok) return { ok: true, server: added.server.name };
      return {
        ok: false,
        error: answer?.error ?? `http_${res.status}`,
        error_description: `The agent refused the server (${res.status}): ${answer?.error_description ?? 'no details'} It is registered at the IdP; register it again once that is fixed.`,
      };
    } catch (e) {
      return {
        ok: false,
        error: 'agent_unavailable',
        error_description: `The agent at ${t.agent.url} did not take the server (${(e as Error).message}). It is registered at the IdP; register it again when the agent runs.`,
      };
    }
  }

  const refused = (ctx: Context, e: OnboardError, discovery?: ServerDiscovery) => {
    ctx.status = e.code === 'ERR_NOT_READY' ? 409 : 422;
    ctx.body = {
      error: e.code === 'ERR_NOT_READY' ? 'not_ready' : 'refused',
      code: e.code,
      error_description: `${e.message} What to change: ${e.fix}`,
      fix: e.fix,
      ...(discovery ? { discovery } : {}),
    };
  };

  return async function addServerApi(ctx: Context, next: Next) {
    if (!ctx.path.startsWith('/api/add-server/')) return next();
    if (!ctx.state.session?.data.user || !ctx.state.sessionId) return next();
    ctx.set('Cache-Control', 'no-store');
    const action = ctx.path.slice('/api/add-server/'.length);
    if (!['discover', 'register', 'scorecard'].includes(action)) {
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
    const body = await readJson(ctx, 16 * 1024);

    if (action === 'discover') {
      const parsed = DiscoverBody.safeParse(body);
      if (!parsed.success) return invalid(ctx, parsed.error, 'Give the MCP endpoint URL ({ "url": … }).');
      const discovery = await discover(ctx, parsed.data.url);
      if (discovery) ctx.body = { discovery };
      return;
    }

    if (action === 'register') {
      const parsed = RegisterBody.safeParse(body);
      if (!parsed.success) return invalid(ctx, parsed.error, 'Some values cannot be used.');
      const b = parsed.data;
      const discovery = await discover(ctx, b.url);
      if (!discovery) return;
      if (!discovery.ok) {
        ctx.status = 409;
        ctx.body = { error: 'not_ready', error_description: `${b.url} cannot be registered yet: see what is missing in the findings.`, discovery };
        return;
      }
      const idp = await idpFor(ctx);
      if (!idp) return;
      try {
        const added = await addServer({
          discovery,
          idp,
          ...(b.app ? { app: b.app } : {}),
          ...(b.name ? { name: b.name } : {}),
          ...(b.title ? { title: b.title } : {}),
          ...(b.scopes ? { scopes: b.scopes } : {}),
          ...(b.groups ? { audience: { kind: 'groups' as const, groups: b.groups } } : {}),
          ...(b.clientId ? { clientId: b.clientId } : {}),
          ...(b.clientSecret ? { clientSecret: b.clientSecret } : {}),
          ...(b.connect === false ? { connect: false } : {}),
        });
        deps.log(`add-server: ${added.server.name} (${added.server.issuer}) ${added.server.created ? 'registered' : 'already registered'}`);
        const agent = await tellAgent(ctx, added);
        if (!agent.ok) deps.log(`add-server: the agent did not take ${added.server.name}: ${agent.error_description}`);
        ctx.body = { discovery, added: { ...added, agent } };
      } catch (e) {
        if (e instanceof OnboardError) return refused(ctx, e, discovery);
        ctx.status = 502;
        ctx.body = { error: 'idp_unavailable', error_description: (e as Error).message };
      }
      return;
    }

    const parsed = ScorecardBody.safeParse(body);
    if (!parsed.success) return invalid(ctx, parsed.error, 'The server URL, and the client id and secret registered at its AS, are needed.');
    const b = parsed.data;
    const discovery = await discover(ctx, b.url);
    if (!discovery) return;
    if (!discovery.ok || !discovery.issuer || !discovery.resource) {
      ctx.status = 409;
      ctx.body = { error: 'not_ready', error_description: `${b.url} is not ready for the scorecard: see the findings.`, discovery };
      return;
    }
    if (scoring) {
      ctx.status = 409;
      ctx.body = { error: 'scorecard_running', error_description: `A scorecard run is in progress (${scoring}); try again when it has finished.` };
      return;
    }
    const idp = await idpFor(ctx);
    if (!idp) return;
    scoring = discovery.issuer;
    try {
      const configure = await configureValues(idp, {
        issuer: discovery.issuer,
        resource: discovery.resource,
        scopes: discovery.scopes,
        clientId: b.clientId,
        clientSecret: b.clientSecret,
        secretGenerated: false,
        ...(discovery.authMethods ? { authMethods: discovery.authMethods } : {}),
      });
      let report: ScorecardReport;
      try {
        report = await scoreAddedServer(configure, idp, http);
      } catch (e) {
        deps.log(`add-server scorecard: ${(e as Error).message}`);
        ctx.status = 502;
        ctx.body = { error: 'scorecard_failed', error_description: (e as Error).message };
        return;
      }
      ctx.body = { report, trust: trustFinding(report, configure), junit: renderJunit(report) };
    } finally {
      scoring = undefined;
    }
  };
}

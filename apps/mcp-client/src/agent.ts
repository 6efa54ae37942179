/**
 * The sample agent: one object behind the CLI commands, the console's agent API and the tests.
 * It owns the configuration, client.db and the flow log; each public method is one user action
 * (one trace, docs/decisions.md §5) and returns a plain outcome (`ok` / `denied` / `error`) with the progress
 * steps it went through.
 */
import type { FlowLog } from '@xaa/node-kit';
import { type ActionContext, runAction, withinAction } from './action.ts';
import { type AddedServerInput, applyAdded, checkAdded, forgetAdded, type KnownServer, knownServers, withAddedServers } from './added-servers.ts';
import { handleCallback, saveLogin, waitForCallback } from './callback.ts';
import { type AgentApp, type AgentConfig, type AgentServer, findApp, findServer } from './config.ts';
import type { LoginHost } from './core.ts';
import type { IdpClient, IdTokenSource } from './flow.ts';
import { type FetchLike, instrumentedFetch } from './http.ts';
import { idTokenSource } from './id-tokens.ts';
import { beginLogin, headlessLogin, idpClient, type SsoDeps } from './legs/sso.ts';
import {
  type Base,
  type CallOutcome,
  type ConnectOutcome,
  type LoginOutcome,
  type Outcome,
  purposeOf,
  type RefreshOutcome,
  type ServerOutcome,
  type StatusReport,
  worst,
} from './outcomes.ts';
import { ServerConflict, UsageProblem } from './problems.ts';
import type { ProgressSink, ProgressStep } from './progress.ts';
import { handleSamlAcs, samlLogin } from './saml-signin.ts';
import { statusReport } from './status.ts';
import type { ClientStore } from './store.ts';
import { callServer, connectServer, lineage } from './xaa-connection.ts';

export type { AddedServerInput, KnownServer } from './added-servers.ts';
export type { CallOutcome, ConnectOutcome, ErrorInfo, LoginOutcome, Outcome, RefreshOutcome, ServerOutcome, StatusReport } from './outcomes.ts';
export { ServerConflict, UsageProblem } from './problems.ts';

export interface AgentDeps {
  config: AgentConfig;
  store: ClientStore;
  flowLog: FlowLog;
  /** Base fetch (default global fetch); the agent wraps it with trace propagation and events. */
  fetch?: FetchLike;
  /** Milliseconds since the epoch (default Date.now): tests move the agent's clock. */
  now?: () => number;
  redact?: boolean;
}

export class Agent implements LoginHost {
  readonly config: AgentConfig;
  readonly store: ClientStore;
  readonly flowLog: FlowLog;
  readonly fetch: FetchLike;
  private readonly nowMs: () => number;
  readonly sso: SsoDeps;
  /** Names of the servers learnt at run time (client.db), laid over the configuration. */
  private readonly added: Set<string>;
  /** The configuration as given (before the servers learnt at run time): what forgetting one goes back to. */
  private readonly base: AgentConfig;

  constructor(deps: AgentDeps) {
    const known = withAddedServers(deps.config, deps.store.listAddedServers());
    this.config = known.config;
    this.added = known.added;
    this.base = deps.config;
    this.store = deps.store;
    this.flowLog = deps.flowLog;
    this.nowMs = deps.now ?? Date.now;
    this.fetch = instrumentedFetch({ timeoutMs: deps.config.options.httpTimeoutMs, redact: deps.redact ?? false }, deps.fetch ?? fetch);
    this.sso = { config: this.config, fetch: this.fetch, now: () => this.now() };
  }

  /** Seconds since the epoch. */
  now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  // --- who is acting ---------------------------------------------------------------------------

  app(name: string | undefined): AgentApp {
    const current = this.store.getCurrent();
    const n = name ?? current?.app;
    if (!n) throw new UsageProblem('No client app given and no login yet: pass --app (e.g. acme-agent).');
    const app = findApp(this.config, n);
    if (!app) throw new UsageProblem(`Unknown client app "${n}". Known: ${this.config.apps.map((a) => a.name).join(', ')}.`);
    return app;
  }

  private who(opts: { user?: string | undefined; app?: string | undefined }): { user: string; app: AgentApp } {
    const current = this.store.getCurrent();
    const app = this.app(opts.app);
    const user = opts.user ?? (current && current.app === app.name ? current.user : undefined);
    if (!user) throw new UsageProblem(`No user signed in to ${app.title}: run login first (e.g. login --user alice --app ${app.name}).`);
    return { user, app };
  }

  // --- servers learnt at run time ----------------------------------------------------------------

  /** Every server the agent can connect to: configured, and learnt at run time. */
  servers(): KnownServer[] {
    return knownServers(this.config, this.added);
  }

  /**
   * Learn (or update) an MCP server at run time and keep it in client.db: its resource, its AS issuer
   * and the apps' registrations at that AS. Throws `UsageProblem` (unknown app) or `ServerConflict`.
   */
  putServer(name: string, input: AddedServerInput): { server: KnownServer; created: boolean } {
    const registrations = checkAdded(this.config, this.added, name, input);
    const created = !this.config.servers.some((s) => s.name === name);
    const row = { name, title: input.title, resource: input.resource, issuer: input.issuer, scopes: input.scopes ?? [], registrations };
    this.store.putAddedServer(row, this.now());
    applyAdded(this.config, row);
    this.added.add(name);
    return { server: this.servers().find((s) => s.name === name) as KnownServer, created };
  }

  /** Forget a server learnt at run time (configured servers stay). */
  deleteServer(name: string): void {
    if (!this.added.has(name)) {
      if (this.config.servers.some((s) => s.name === name)) throw new ServerConflict(`"${name}" is configured, not added at run time: it stays.`);
      throw new UsageProblem(`Unknown server "${name}".`);
    }
    this.store.deleteAddedServer(name);
    this.added.delete(name);
    forgetAdded(this.config, this.base, name);
  }

  server(name: string): AgentServer {
    const s = findServer(this.config, name);
    if (!s) throw new UsageProblem(`Unknown server "${name}". Known: ${this.config.servers.map((x) => x.name).join(', ')}.`);
    return s;
  }

  private action<T extends Base>(
    action: string,
    subject: ActionContext['subject'],
    onProgress: ProgressSink | undefined,
    fn: (ctx: ActionContext, progress: ProgressSink, steps: ProgressStep[]) => Promise<Omit<T, 'traceId' | 'steps'>>,
    traceId?: string,
  ): Promise<T> {
    const steps: ProgressStep[] = [];
    const progress: ProgressSink = (s) => {
      steps.push(s);
      onProgress?.(s);
    };
    return runAction({ action, flowLog: this.flowLog, idpIssuer: this.config.idp.issuer, subject, ...(traceId ? { traceId } : {}) }, async (ctx) => {
      const r = await fn(ctx, progress, steps);
      return { ...r, traceId: ctx.traceId, steps } as T;
    });
  }

  idp(app: AgentApp): IdpClient {
    return {
      clientId: app.idp.client_id,
      clientSecret: app.idp.client_secret,
      tokenEndpoint: async () => {
        const c = await idpClient(this.sso, app);
        const te = c.serverMetadata().token_endpoint;
        if (!te) throw new Error('the IdP metadata has no token_endpoint');
        return te;
      },
    };
  }

  /** The ID token for leg 2: stored, renewed with the IdP refresh token when it has expired. */
  idTokens(user: string, app: AgentApp, progress: ProgressSink): IdTokenSource {
    return idTokenSource(this, user, app, progress);
  }

  // --- leg 1: login -------------------------------------------------------------------------------

  /**
   * SSO at the IdP as `app`. Headless: fill the IdP's login form with the user's demo password.
   * Interactive: returns the authorization URL; the agent's `/callback` (any process serving it on
   * the redirect URI) completes the login from the pending state kept in client.db.
   */
  login(opts: {
    user?: string;
    app: string;
    headless?: boolean;
    password?: string;
    /** `saml`: SAML 2.0 Web SSO as the app's SP, then the Assertion → IdP refresh token (draft-04 §4.5). */
    protocol?: 'oidc' | 'saml';
    traceId?: string;
    onProgress?: ProgressSink;
  }): Promise<LoginOutcome> {
    const app = this.app(opts.app);
    if (opts.protocol === 'saml' && !app.saml) throw new UsageProblem(`${app.title} has no SAML registration at the IdP; try --app acme-desktop.`);
    return this.action<LoginOutcome>(
      'login',
      { client: app.name, ...(opts.user ? { user: opts.user } : {}) },
      opts.onProgress,
      async (ctx, progress) => {
        if (opts.protocol === 'saml') return samlLogin(this, app, opts, ctx.traceId, progress);
        if (!opts.headless) {
          const begun = await beginLogin(this.sso, app, opts.user);
          this.store.putPending(begun.pending.state, 'sso', { ...begun.pending, traceId: ctx.traceId }, this.now(), 600);
          progress({ step: 'sso', outcome: 'info', detail: `authorization request ready (PKCE S256, state, nonce) for ${app.title}`, ms: 0 });
          return {
            outcome: 'ok',
            app: app.name,
            user: opts.user,
            refreshToken: false,
            consentScreens: 0,
            authorizationUrl: begun.authorizationUrl.href,
            state: begun.pending.state,
          };
        }
        if (!opts.user) throw new UsageProblem('A headless login needs --user.');
        const password = opts.password ?? this.config.users.find((u) => u.username === opts.user)?.password;
        if (password === undefined) throw new UsageProblem(`No password for ${opts.user}: pass --password (demo users are listed in playground.json).`);
        const t0 = performance.now();
        const r = await headlessLogin(this.sso, app, { username: opts.user, password });
        progress({
          step: 'sso',
          outcome: r.ok ? 'ok' : r.kind === 'error' ? 'error' : 'denied',
          detail: r.ok
            ? `signed in at ${this.config.idp.issuer} as ${opts.user} via ${app.title} (ID token exp in ${r.tokens.idTokenExp - this.now()} s)`
            : `${r.code} — ${r.description}`,
          ms: Math.round(performance.now() - t0),
        });
        if (!r.ok)
          return {
            outcome: r.kind === 'error' ? 'error' : 'denied',
            app: app.name,
            user: opts.user,
            refreshToken: false,
            consentScreens: 0,
            error: { code: r.code, description: r.description },
          };
        saveLogin(this, opts.user, app, r.tokens, ctx.traceId);
        return {
          outcome: 'ok',
          app: app.name,
          user: opts.user,
          sub: r.tokens.sub,
          idTokenExpiresAt: r.tokens.idTokenExp,
          refreshToken: !!r.tokens.refreshToken,
          consentScreens: r.consentScreens,
        };
      },
      opts.traceId,
    );
  }

  /** The SAML ACS (HTTP-POST binding, SAML Bindings §3.5): finishes a SAML login started by any process. */
  handleSamlAcs(form: { SAMLResponse?: unknown; RelayState?: unknown }): ReturnType<typeof handleSamlAcs> {
    return handleSamlAcs(this, form);
  }

  /** The redirect URI: finishes an SSO login or a classic authorization started by any process. */
  handleCallback(url: URL): ReturnType<typeof handleCallback> {
    return handleCallback(this, url);
  }

  /** Wait (bounded) until `/callback` has finished the pending flow `state`; polls client.db. */
  waitForCallback(state: string, timeoutMs?: number): Promise<Record<string, unknown> | undefined> {
    return waitForCallback(this, state, timeoutMs);
  }

  /** Renew the ID token now with the IdP refresh token (e.g. to see a disabled account take effect). */
  refresh(opts: { user?: string; app?: string; traceId?: string; onProgress?: ProgressSink } = {}): Promise<RefreshOutcome> {
    const { user, app } = this.who(opts);
    return this.action<RefreshOutcome>(
      'refresh',
      { user, client: app.name },
      opts.onProgress,
      async (_ctx, progress) => {
        const r = await this.idTokens(user, app, progress).refresh();
        if (!r.ok)
          return { outcome: r.kind === 'session_ended' ? 'denied' : 'error', user, app: app.name, error: { code: r.code, description: r.description } };
        return { outcome: 'ok', user, app: app.name, idTokenExpiresAt: this.store.getSession(user, app.name)?.id_token_exp };
      },
      opts.traceId,
    );
  }

  logout(opts: { user?: string; app?: string } = {}): { user: string; app: string } {
    const { user, app } = this.who(opts);
    this.store.deleteSession(user, app.name);
    return { user, app: app.name };
  }

  // --- legs 2 and 3, per server -------------------------------------------------------------------

  /**
   * `connect [server…]`: for each server, discovery then legs 2 and 3 (or the classic flow where the
   * AS has no ID-JAG support, or when `classic` is asked for). `scope` obtains a down-scoped token for
   * a sub-task: a separate connection whose events carry the lineage of the same login.
   */
  connect(
    opts: {
      user?: string;
      app?: string;
      servers?: string[];
      scope?: string;
      classic?: boolean;
      headless?: boolean;
      /** Bind this action's new tokens with DPoP (RFC 9449), like `--dpop`. */
      dpop?: boolean;
      traceId?: string;
      onProgress?: ProgressSink;
    } = {},
  ): Promise<ConnectOutcome> {
    const { user, app } = this.who(opts);
    const servers = opts.servers?.length ? opts.servers.map((s) => this.server(s)) : this.config.servers;
    const purpose = purposeOf(opts.scope);
    return this.action<ConnectOutcome>(
      'connect',
      { user, client: app.name },
      opts.onProgress,
      async (ctx, progress) => {
        const results: ServerOutcome[] = [];
        const data = await lineage(this, user, app, purpose);
        for (const s of servers) {
          results.push(
            await withinAction({ subject: { server: s.name }, data }, () =>
              connectServer(this, user, app, s, purpose, opts.scope, opts.classic ?? false, opts.headless ?? false, ctx.traceId, progress, opts.dpop),
            ),
          );
        }
        const outcomes = results.map((r): Outcome => (r.status === 'connected' || r.status === 'pending' ? 'ok' : r.status === 'blocked' ? 'denied' : 'error'));
        return {
          outcome: worst(outcomes),
          user,
          app: app.name,
          purpose,
          servers: results,
          consentScreens: results.reduce((n, r) => n + r.consentScreens, 0),
          ...(outcomes.includes('error') || outcomes.includes('denied') ? { error: results.find((r) => r.error)?.error } : {}),
        };
      },
      opts.traceId,
    );
  }

  // --- tools --------------------------------------------------------------------------------------

  /**
   * `call <server> <tool> [args]`. An expired access token is replaced silently by a fresh ID-JAG and
   * token first (the ID token renewed with the IdP refresh token when needed); a 401 during the call
   * does the same through the SDK; a 403 `insufficient_scope` gets one step-up exchange.
   */
  call(opts: {
    user?: string;
    app?: string;
    server: string;
    tool: string;
    args?: Record<string, unknown>;
    scope?: string;
    /** Bind a new token with DPoP (RFC 9449), like `--dpop`. */
    dpop?: boolean;
    traceId?: string;
    onProgress?: ProgressSink;
  }): Promise<CallOutcome> {
    const { user, app } = this.who(opts);
    const s = this.server(opts.server);
    const purpose = purposeOf(opts.scope);
    return this.action<CallOutcome>(
      'call',
      { user, client: app.name, server: s.name },
      opts.onProgress,
      async (ctx, progress) => {
        const data = await lineage(this, user, app, purpose);
        return withinAction({ data }, () => callServer(this, user, app, s, purpose, opts, ctx.traceId, progress));
      },
      opts.traceId,
    );
  }

  // --- status -------------------------------------------------------------------------------------

  status(opts: { user?: string; app?: string } = {}): Promise<StatusReport> {
    return statusReport(this, opts);
  }
}

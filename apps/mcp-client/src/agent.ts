/**
 * The sample agent: one object behind the CLI commands, the console's agent API and the tests.
 * It owns the configuration, client.db and the flow log; each public method is one user action
 * (one trace, design §5) and returns a plain outcome (`ok` / `denied` / `error`) with the progress
 * steps it went through.
 */
import type { CallToolResult, StoredOAuthTokens } from '@modelcontextprotocol/client';
import type { FlowLog } from '@xaa/node-kit';
import { decodeUnverified, tokenHash } from '@xaa/protocol';
import { type ActionContext, runAction, withinAction } from './action.ts';
import { ClassicProvider, type ClassicState, finishClassic, newState, runClassic } from './classic.ts';
import { type AgentApp, type AgentConfig, type AgentServer, findApp, findServer } from './config.ts';
import { discover } from './discovery.ts';
import { emitClientEvent } from './events.ts';
import {
  callTool,
  connectXaa,
  exchangeForAccessToken,
  type Failure,
  type IdpClient,
  type IdTokenResult,
  type IdTokenSource,
  type LegDeps,
  type ServerTarget,
} from './flow.ts';
import { type FetchLike, instrumentedFetch } from './http.ts';
import type { AccessToken } from './legs/access-token.ts';
import { beginLogin, completeLogin, headlessLogin, idpClient, type PendingSso, refreshSession, type SsoDeps } from './legs/sso.ts';
import { openSession } from './mcp-session.ts';
import type { ProgressSink, ProgressStep } from './progress.ts';
import type { ClientStore, ConnectionRow } from './store.ts';

export type Outcome = 'ok' | 'denied' | 'error';

export interface ErrorInfo {
  code: string;
  description: string;
  stage?: string | undefined;
}

interface Base {
  outcome: Outcome;
  traceId: string;
  steps: ProgressStep[];
  error?: ErrorInfo | undefined;
}

export interface LoginOutcome extends Base {
  user?: string | undefined;
  app: string;
  sub?: string | undefined;
  idTokenExpiresAt?: number | undefined;
  refreshToken: boolean;
  consentScreens: number;
  /** Interactive: where the user's browser must go; `/callback` completes the login. */
  authorizationUrl?: string | undefined;
  state?: string | undefined;
}

export interface ServerOutcome {
  server: string;
  title: string;
  mode: 'xaa' | 'classic';
  status: 'connected' | 'blocked' | 'error' | 'pending';
  /** Human sentence, e.g. "blocked by your organization". */
  message: string;
  scope?: string | undefined;
  expiresAt?: number | undefined;
  jti?: string | undefined;
  tools?: string[] | undefined;
  consentScreens: number;
  authorizationUrl?: string | undefined;
  error?: ErrorInfo | undefined;
}

export interface ConnectOutcome extends Base {
  user: string;
  app: string;
  purpose: string;
  servers: ServerOutcome[];
  /** Consent screens the user had to pass in this action (0 with XAA). */
  consentScreens: number;
}

export interface CallOutcome extends Base {
  server: string;
  tool: string;
  result?: CallToolResult | undefined;
  /** A fresh ID-JAG and access token were fetched during this call (expiry or 401). */
  renewed: boolean;
  jti?: string | undefined;
}

export interface RefreshOutcome extends Base {
  user: string;
  app: string;
  idTokenExpiresAt?: number | undefined;
}

export interface StatusReport {
  current: { user: string; app: string } | undefined;
  session?: { user: string; app: string; sub: string; idTokenExpiresAt: number; refreshToken: boolean; loginTraceId: string; idTokenHash: string } | undefined;
  connections: Array<{
    server: string;
    purpose: string;
    mode: 'xaa' | 'classic';
    status: string;
    scope: string | null;
    expiresAt: number | null;
    expiresIn: number | null;
    jti: string | null;
    consentScreens: number;
    tools: string[];
    error: ErrorInfo | null;
  }>;
}

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

export class UsageProblem extends Error {
  override name = 'UsageProblem';
}

const purposeOf = (scope: string | undefined) => (scope ? `scope:${[...new Set(scope.split(' ').filter(Boolean))].sort().join(' ')}` : '');

function worst(outcomes: Outcome[]): Outcome {
  return outcomes.includes('error') ? 'error' : outcomes.includes('denied') ? 'denied' : 'ok';
}

export class Agent {
  readonly config: AgentConfig;
  readonly store: ClientStore;
  readonly flowLog: FlowLog;
  readonly fetch: FetchLike;
  private readonly nowMs: () => number;
  private readonly sso: SsoDeps;

  constructor(deps: AgentDeps) {
    this.config = deps.config;
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

  private server(name: string): AgentServer {
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

  private legDeps(progress: ProgressSink): LegDeps {
    return { fetch: this.fetch, now: () => this.now(), progress };
  }

  private idp(app: AgentApp): IdpClient {
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
    const refresh = async (): Promise<IdTokenResult> => {
      const row = this.store.getSession(user, app.name);
      if (!row) return { ok: false, kind: 'no_idp_session', code: 'login_required', description: `${user} is not signed in to ${app.title}` };
      if (!row.refresh_token)
        return {
          ok: false,
          kind: 'session_ended',
          code: 'login_required',
          description: 'the ID token expired and there is no IdP refresh token: log in again',
        };
      const t0 = performance.now();
      const r = await refreshSession(this.sso, app, row.refresh_token);
      progress({
        step: 'sso-refresh',
        outcome: r.ok ? 'ok' : r.kind === 'session_ended' ? 'denied' : 'error',
        detail: r.ok ? `ID token renewed with the IdP refresh token (exp in ${r.tokens.idTokenExp - this.now()} s)` : `${r.code} — ${r.description}`,
        ms: Math.round(performance.now() - t0),
      });
      if (!r.ok) return { ok: false, kind: r.kind, code: r.code, description: r.description };
      this.store.updateSessionTokens(
        user,
        app.name,
        { id_token: r.tokens.idToken, id_token_exp: r.tokens.idTokenExp, refresh_token: r.tokens.refreshToken ?? null },
        this.now(),
      );
      return { ok: true, idToken: r.tokens.idToken };
    };
    return {
      current: async () => {
        const row = this.store.getSession(user, app.name);
        if (!row)
          return { ok: false, kind: 'no_idp_session', code: 'login_required', description: `${user} is not signed in to ${app.title}: run login first` };
        if (row.id_token_exp - this.config.options.expirySkewSeconds > this.now()) return { ok: true, idToken: row.id_token };
        return refresh();
      },
      refresh,
    };
  }

  // --- leg 1: login -------------------------------------------------------------------------------

  /**
   * SSO at the IdP as `app`. Headless: fill the IdP's login form with the user's demo password.
   * Interactive: returns the authorization URL; the agent's `/callback` (any process serving it on
   * the redirect URI) completes the login from the pending state kept in client.db.
   */
  login(opts: { user?: string; app: string; headless?: boolean; password?: string; traceId?: string; onProgress?: ProgressSink }): Promise<LoginOutcome> {
    const app = this.app(opts.app);
    return this.action<LoginOutcome>(
      'login',
      { client: app.name, ...(opts.user ? { user: opts.user } : {}) },
      opts.onProgress,
      async (ctx, progress) => {
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
        this.saveLogin(opts.user, app, r.tokens, ctx.traceId);
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

  private saveLogin(user: string, app: AgentApp, t: { idToken: string; idTokenExp: number; sub: string; refreshToken: string | undefined }, traceId: string) {
    this.store.saveSession(
      { user, app: app.name, sub: t.sub, id_token: t.idToken, id_token_exp: t.idTokenExp, refresh_token: t.refreshToken ?? null, login_trace: traceId },
      this.now(),
    );
    this.store.setCurrent(user, app.name);
  }

  /** The redirect URI: finishes an SSO login or a classic authorization started by any process. */
  async handleCallback(
    url: URL,
  ): Promise<{ outcome: Outcome; kind: 'sso' | 'classic' | 'unknown'; message: string; user?: string | undefined; server?: string | undefined }> {
    const state = url.searchParams.get('state');
    const pending = state ? this.store.getPending(state, this.now()) : undefined;
    if (!state || !pending || pending.result) {
      return {
        outcome: 'error',
        kind: 'unknown',
        message: 'This sign-in response is unknown, expired or already used (state mismatch). Start again from the agent.',
      };
    }
    const traceId = typeof pending.data.traceId === 'string' ? pending.data.traceId : undefined;
    if (pending.kind === 'sso') {
      const p = pending.data as unknown as PendingSso;
      const app = this.app(p.app);
      return runAction(
        { action: 'login', flowLog: this.flowLog, idpIssuer: this.config.idp.issuer, subject: { client: app.name }, ...(traceId ? { traceId } : {}) },
        async (ctx) => {
          const r = await completeLogin(this.sso, app, p, url);
          if (!r.ok) {
            this.store.completePending(state, { outcome: r.kind === 'error' ? 'error' : 'denied', code: r.code, description: r.description });
            emitClientEvent('sso.token', r.kind === 'error' ? 'error' : 'denied', `login failed: ${r.code}`, {
              error: { code: r.code, description: r.description },
            });
            return {
              outcome: r.kind === 'error' ? 'error' : 'denied',
              kind: 'sso' as const,
              message: `Sign-in failed: ${r.code}${r.description ? ` — ${r.description}` : ''}`,
            };
          }
          const claims = decodeUnverified(r.tokens.idToken)?.claims ?? {};
          const user =
            p.user ??
            (typeof claims.preferred_username === 'string'
              ? claims.preferred_username
              : typeof claims.email === 'string'
                ? claims.email.split('@')[0]
                : r.tokens.sub);
          this.saveLogin(user as string, app, r.tokens, ctx.traceId);
          this.store.completePending(state, {
            outcome: 'ok',
            user,
            sub: r.tokens.sub,
            idTokenExpiresAt: r.tokens.idTokenExp,
            refreshToken: !!r.tokens.refreshToken,
          });
          return { outcome: 'ok' as const, kind: 'sso' as const, message: `Signed in as ${user} via ${app.title}. You can close this window.`, user };
        },
      );
    }
    const d = pending.data as { user: string; app: string; server: string; purpose: string; scope?: string; saved: ClassicState; traceId?: string };
    const app = this.app(d.app);
    const server = this.server(d.server);
    return runAction(
      {
        action: 'connect',
        flowLog: this.flowLog,
        idpIssuer: this.config.idp.issuer,
        subject: { user: d.user, client: app.name, server: server.name },
        ...(traceId ? { traceId } : {}),
      },
      async (ctx) => {
        const provider = this.classicProvider(d.user, app, server, d.purpose, state, undefined, d.saved);
        const r = await finishClassic(provider, { serverUrl: server.url, fetch: this.fetch, callbackUrl: url });
        const out = await this.classicDone(d.user, app, server, d.purpose, r, 1, ctx.traceId, () => {});
        this.store.completePending(state, {
          outcome: out.status === 'connected' ? 'ok' : 'error',
          server: server.name,
          consentScreens: out.consentScreens,
          message: out.message,
        });
        return { outcome: out.status === 'connected' ? 'ok' : 'error', kind: 'classic' as const, message: out.message, server: server.name };
      },
    );
  }

  /** Wait (bounded) until `/callback` has finished the pending flow `state`; polls client.db. */
  async waitForCallback(state: string, timeoutMs = this.config.options.interactiveLoginTimeoutMs): Promise<Record<string, unknown> | undefined> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const p = this.store.getPending(state, this.now());
      if (!p) return undefined;
      if (p.result) return p.result;
      await new Promise((r) => setTimeout(r, 250));
    }
    return undefined;
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

  private target(app: AgentApp, s: AgentServer): ServerTarget {
    return { name: s.name, url: s.url, registration: app.servers[s.name], expectedIssuer: s.issuer };
  }

  private async lineage(user: string, app: AgentApp, purpose: string): Promise<Record<string, unknown>> {
    const session = this.store.getSession(user, app.name);
    if (!session) return {};
    return {
      lineage: {
        loginTraceId: session.login_trace,
        idTokenHash: await tokenHash(session.id_token),
        role: purpose ? 'sub-agent' : 'agent',
        ...(purpose ? { scope: purpose.slice('scope:'.length) } : {}),
      },
    };
  }

  private saveXaa(user: string, app: AgentApp, server: string, purpose: string, row: Partial<ConnectionRow> & Pick<ConnectionRow, 'status'>, traceId: string) {
    this.store.saveConnection(
      {
        user,
        app: app.name,
        server,
        purpose,
        mode: 'xaa',
        requested_scope: null,
        scope: null,
        access_token: null,
        token_type: null,
        expires_at: null,
        jti: null,
        refresh_token: null,
        as_issuer: null,
        resource: null,
        error: null,
        error_description: null,
        consent_screens: 0,
        tools: null,
        ...row,
        trace_id: traceId,
      },
      this.now(),
    );
  }

  private tokenRow(t: AccessToken): Pick<ConnectionRow, 'access_token' | 'token_type' | 'scope' | 'expires_at' | 'jti'> {
    return { access_token: t.accessToken, token_type: t.tokenType, scope: t.scope ?? null, expires_at: t.expiresAt ?? null, jti: t.jti ?? null };
  }

  private failureOutcome(s: AgentServer, f: Failure, mode: 'xaa' | 'classic' = 'xaa'): ServerOutcome {
    const blocked = f.outcome === 'denied';
    return {
      server: s.name,
      title: s.title,
      mode,
      status: blocked ? 'blocked' : 'error',
      message: blocked ? `blocked by your organization — ${f.code}${f.description ? `: ${f.description}` : ''}` : `${f.stage}: ${f.code} — ${f.description}`,
      consentScreens: 0,
      error: { code: f.code, description: f.description, stage: f.stage },
    };
  }

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
        const lineage = await this.lineage(user, app, purpose);
        for (const s of servers) {
          results.push(
            await withinAction({ subject: { server: s.name }, data: lineage }, () =>
              this.connectOne(user, app, s, purpose, opts.scope, opts.classic ?? false, opts.headless ?? false, ctx.traceId, progress),
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

  private async connectOne(
    user: string,
    app: AgentApp,
    s: AgentServer,
    purpose: string,
    scope: string | undefined,
    classic: boolean,
    headless: boolean,
    traceId: string,
    progress: ProgressSink,
  ): Promise<ServerOutcome> {
    const deps = this.legDeps(progress);
    const target = this.target(app, s);
    const idTokens = this.idTokens(user, app, progress);
    if (classic) return this.connectClassic(user, app, s, purpose, scope, headless, traceId, progress);
    const r = await connectXaa(deps, this.idp(app), idTokens, target, {
      scope,
      fixedScope: !!purpose,
      onRenewed: (t) => this.saveXaa(user, app, s.name, purpose, { status: 'connected', ...this.tokenRow(t) }, traceId),
    });
    if (r.outcome === 'classic_required') {
      progress({
        step: 'classic',
        server: s.name,
        outcome: 'info',
        detail: `${r.discovered.asIssuer} does not redeem ID-JAGs: classic OAuth with a consent screen`,
        ms: 0,
      });
      return this.connectClassic(user, app, s, purpose, scope, headless, traceId, progress);
    }
    if (r.outcome !== 'ok') {
      // Never fall back to an interactive consent flow after an IdP denial (EMA: IT decides).
      this.saveXaa(
        user,
        app,
        s.name,
        purpose,
        {
          status: r.outcome === 'denied' ? 'blocked' : 'error',
          error: r.code,
          error_description: r.description,
          as_issuer: r.discovered?.asIssuer ?? null,
          resource: r.discovered?.resource ?? null,
          requested_scope: scope ?? null,
        },
        traceId,
      );
      return this.failureOutcome(s, r);
    }
    this.saveXaa(
      user,
      app,
      s.name,
      purpose,
      {
        status: 'connected',
        ...this.tokenRow(r.token),
        requested_scope: r.requestedScope ?? null,
        as_issuer: r.discovered.asIssuer,
        resource: r.discovered.resource,
        tools: JSON.stringify(r.tools),
      },
      traceId,
    );
    return {
      server: s.name,
      title: s.title,
      mode: 'xaa',
      status: 'connected',
      message: `connected with XAA (no consent screen)${r.token.scope ? `, scope ${r.token.scope}` : ''}`,
      scope: r.token.scope,
      expiresAt: r.token.expiresAt,
      jti: r.token.jti,
      tools: r.tools,
      consentScreens: 0,
    };
  }

  private classicProvider(user: string, app: AgentApp, s: AgentServer, purpose: string, state: string, initial?: StoredOAuthTokens, restored?: ClassicState) {
    const reg = app.servers[s.name];
    return new ClassicProvider({
      store: this.store,
      app,
      redirectUri: this.config.redirectUri,
      preRegistered: reg && s.issuer ? { registration: reg, issuer: s.issuer } : undefined,
      state,
      initialTokens: initial,
      restored,
      onTokens: (t, issuer) => {
        const claims = decodeUnverified(t.access_token)?.claims;
        const prev = this.store.getConnection(user, app.name, s.name, purpose);
        this.store.saveConnection(
          {
            user,
            app: app.name,
            server: s.name,
            purpose,
            mode: 'classic',
            status: 'connected',
            requested_scope: prev?.requested_scope ?? null,
            scope: t.scope ?? null,
            access_token: t.access_token,
            token_type: t.token_type,
            expires_at: typeof t.expires_in === 'number' ? this.now() + t.expires_in : typeof claims?.exp === 'number' ? claims.exp : null,
            jti: typeof claims?.jti === 'string' ? claims.jti : null,
            refresh_token: t.refresh_token ?? prev?.refresh_token ?? null,
            as_issuer: issuer ?? prev?.as_issuer ?? null,
            resource: prev?.resource ?? s.url,
            error: null,
            error_description: null,
            consent_screens: prev?.consent_screens ?? 0,
            tools: prev?.tools ?? null,
            trace_id: prev?.trace_id ?? null,
          },
          this.now(),
        );
      },
    });
  }

  private async connectClassic(
    user: string,
    app: AgentApp,
    s: AgentServer,
    purpose: string,
    scope: string | undefined,
    headless: boolean,
    traceId: string,
    progress: ProgressSink,
  ): Promise<ServerOutcome> {
    const state = newState();
    const provider = this.classicProvider(user, app, s, purpose, state);
    const password = this.config.users.find((u) => u.username === user)?.password;
    if (headless && password === undefined) {
      return this.failureOutcome(
        s,
        { outcome: 'error', stage: 'classic', code: 'no_password', description: `no demo password for ${user} to fill the login form` },
        'classic',
      );
    }
    const t0 = performance.now();
    const r = await runClassic(provider, {
      serverUrl: s.url,
      fetch: this.fetch,
      scope,
      headless: headless ? { credentials: { username: user, password: password as string }, maxSteps: this.config.options.headlessMaxSteps } : undefined,
    });
    const ms = Math.round(performance.now() - t0);
    if (r.outcome === 'pending') {
      this.store.putPending(state, 'classic', { user, app: app.name, server: s.name, purpose, scope, saved: r.saved, traceId }, this.now(), 600);
      progress({ step: 'classic', server: s.name, outcome: 'info', detail: `consent needed: open ${r.authorizationUrl.href}`, ms });
      return {
        server: s.name,
        title: s.title,
        mode: 'classic',
        status: 'pending',
        message: 'waiting for you to approve the consent screen in the browser',
        consentScreens: 0,
        authorizationUrl: r.authorizationUrl.href,
      };
    }
    progress({
      step: 'classic',
      server: s.name,
      outcome: r.outcome === 'ok' ? 'ok' : r.outcome,
      detail: r.outcome === 'ok' ? `authorization code + PKCE at ${r.issuer ?? s.url}: ${r.consentScreens} consent screen(s)` : `${r.code} — ${r.description}`,
      ms,
    });
    return this.classicDone(user, app, s, purpose, r, r.consentScreens, traceId, progress);
  }

  private async classicDone(
    user: string,
    app: AgentApp,
    s: AgentServer,
    purpose: string,
    r: Awaited<ReturnType<typeof finishClassic>>,
    consentScreens: number,
    traceId: string,
    progress: ProgressSink,
  ): Promise<ServerOutcome> {
    if (r.outcome !== 'ok') {
      this.store.saveConnection(
        {
          user,
          app: app.name,
          server: s.name,
          purpose,
          mode: 'classic',
          status: 'error',
          requested_scope: null,
          scope: null,
          access_token: null,
          token_type: null,
          expires_at: null,
          jti: null,
          refresh_token: null,
          as_issuer: null,
          resource: s.url,
          error: r.code,
          error_description: r.description,
          consent_screens: consentScreens,
          tools: null,
          trace_id: traceId,
        },
        this.now(),
      );
      return { ...this.failureOutcome(s, { outcome: r.outcome, stage: 'classic', code: r.code, description: r.description }, 'classic'), consentScreens };
    }
    const row = this.store.getConnection(user, app.name, s.name, purpose);
    if (row) this.store.saveConnection({ ...row, consent_screens: consentScreens, trace_id: traceId }, this.now());
    // List the tools with the new token (the SDK refreshes it if needed).
    const t0 = performance.now();
    let tools: string[] = [];
    try {
      const provider = this.classicProvider(user, app, s, purpose, newState(), r.tokens);
      const session = await openSession(s.url, provider, this.fetch);
      try {
        tools = (await session.client.listTools()).tools.map((t) => t.name);
      } finally {
        await session.close();
      }
      progress({
        step: 'mcp',
        server: s.name,
        outcome: 'ok',
        detail: `MCP session: ${tools.length} tools (${tools.join(', ')})`,
        ms: Math.round(performance.now() - t0),
      });
    } catch (e) {
      progress({ step: 'mcp', server: s.name, outcome: 'error', detail: (e as Error).message, ms: Math.round(performance.now() - t0) });
      return this.failureOutcome(s, { outcome: 'error', stage: 'mcp', code: 'mcp_error', description: (e as Error).message }, 'classic');
    }
    const after = this.store.getConnection(user, app.name, s.name, purpose);
    if (after) this.store.saveConnection({ ...after, tools: JSON.stringify(tools) }, this.now());
    return {
      server: s.name,
      title: s.title,
      mode: 'classic',
      status: 'connected',
      message: `connected the classic way: ${consentScreens} consent screen(s)`,
      scope: r.tokens.scope,
      expiresAt: after?.expires_at ?? undefined,
      jti: after?.jti ?? undefined,
      tools,
      consentScreens,
    };
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
        const lineage = await this.lineage(user, app, purpose);
        return withinAction({ data: lineage }, () => this.callOne(user, app, s, purpose, opts, ctx.traceId, progress));
      },
      opts.traceId,
    );
  }

  private async callOne(
    user: string,
    app: AgentApp,
    s: AgentServer,
    purpose: string,
    opts: { tool: string; args?: Record<string, unknown>; scope?: string },
    traceId: string,
    progress: ProgressSink,
  ): Promise<Omit<CallOutcome, 'traceId' | 'steps'>> {
    const base = { server: s.name, tool: opts.tool };
    const row = this.store.getConnection(user, app.name, s.name, purpose);
    const deps = this.legDeps(progress);
    const idTokens = this.idTokens(user, app, progress);
    let renewed = false;
    if (row?.mode === 'classic') return this.callClassic(user, app, s, purpose, row, opts, progress);

    let token: AccessToken | undefined =
      row?.status === 'connected' && row.access_token
        ? {
            accessToken: row.access_token,
            tokenType: row.token_type ?? 'Bearer',
            scope: row.scope ?? undefined,
            expiresAt: row.expires_at ?? undefined,
            jti: row.jti ?? undefined,
          }
        : undefined;
    let asIssuer = row?.as_issuer ?? undefined;
    let requestedScope = row?.requested_scope ?? opts.scope;
    const expired = token?.expiresAt !== undefined && token.expiresAt - this.config.options.expirySkewSeconds <= this.now();
    if (!token || expired || !asIssuer) {
      progress({
        step: 'renew',
        server: s.name,
        outcome: 'info',
        detail: token ? 'access token expired: fresh ID-JAG and token, silently' : 'no access token yet: discovery, ID-JAG and token',
        ms: 0,
      });
      const d = await discover(s.url, { fetch: this.fetch });
      if (!d.ok) return { ...base, outcome: 'error', renewed, error: { code: d.kind, description: d.message, stage: 'discover' } };
      if (!d.idJag)
        return {
          ...base,
          outcome: 'error',
          renewed,
          error: { code: 'classic_required', description: `${s.title} needs the classic flow: run connect ${s.name}`, stage: 'discover' },
        };
      requestedScope = opts.scope ?? row?.requested_scope ?? (d.prm.scopes_supported?.length ? d.prm.scopes_supported.join(' ') : d.challengeScope);
      const legs = await exchangeForAccessToken(deps, this.idp(app), idTokens, this.target(app, s), d, requestedScope);
      if (!('ok' in legs)) {
        this.saveXaa(
          user,
          app,
          s.name,
          purpose,
          {
            status: legs.outcome === 'denied' ? 'blocked' : 'error',
            error: legs.code,
            error_description: legs.description,
            as_issuer: d.asIssuer,
            resource: d.resource,
          },
          traceId,
        );
        return { ...base, outcome: legs.outcome, renewed, error: { code: legs.code, description: legs.description, stage: legs.stage } };
      }
      token = legs.token;
      asIssuer = d.asIssuer;
      renewed = true;
      this.saveXaa(
        user,
        app,
        s.name,
        purpose,
        {
          status: 'connected',
          ...this.tokenRow(token),
          requested_scope: requestedScope ?? null,
          as_issuer: d.asIssuer,
          resource: d.resource,
          tools: row?.tools ?? null,
        },
        traceId,
      );
    }
    const r = await callTool(
      deps,
      this.idp(app),
      idTokens,
      this.target(app, s),
      {
        asIssuer,
        token,
        requestedScope,
        fixedScope: !!purpose,
        onRenewed: (t) => {
          renewed = true;
          const prev = this.store.getConnection(user, app.name, s.name, purpose);
          this.saveXaa(user, app, s.name, purpose, { ...prev, status: 'connected', ...this.tokenRow(t) }, traceId);
        },
      },
      { tool: opts.tool, args: opts.args ?? {} },
    );
    if (r.outcome !== 'ok') {
      if (r.stage === 'id-jag' || r.stage === 'session') {
        const prev = this.store.getConnection(user, app.name, s.name, purpose);
        this.saveXaa(
          user,
          app,
          s.name,
          purpose,
          { ...prev, status: r.outcome === 'denied' ? 'blocked' : 'error', error: r.code, error_description: r.description },
          traceId,
        );
      }
      return { ...base, outcome: r.outcome, renewed, error: { code: r.code, description: r.description, stage: r.stage } };
    }
    return { ...base, outcome: r.result.isError ? 'error' : 'ok', renewed, result: r.result, jti: r.token.jti };
  }

  private async callClassic(
    user: string,
    app: AgentApp,
    s: AgentServer,
    purpose: string,
    row: ConnectionRow,
    opts: { tool: string; args?: Record<string, unknown> },
    progress: ProgressSink,
  ): Promise<Omit<CallOutcome, 'traceId' | 'steps'>> {
    const base = { server: s.name, tool: opts.tool, renewed: false };
    if (!row.access_token) return { ...base, outcome: 'error', error: { code: 'not_connected', description: `run connect ${s.name} first`, stage: 'classic' } };
    const provider = this.classicProvider(user, app, s, purpose, newState(), {
      access_token: row.access_token,
      token_type: row.token_type ?? 'Bearer',
      ...(row.refresh_token ? { refresh_token: row.refresh_token } : {}),
      ...(row.scope ? { scope: row.scope } : {}),
    });
    const t0 = performance.now();
    try {
      const session = await openSession(s.url, provider, this.fetch);
      try {
        const result = (await session.client.callTool({ name: opts.tool, arguments: opts.args ?? {} })) as CallToolResult;
        progress({
          step: 'mcp',
          server: s.name,
          outcome: result.isError ? 'error' : 'ok',
          detail: `tools/call ${opts.tool}`,
          ms: Math.round(performance.now() - t0),
        });
        return { ...base, outcome: result.isError ? 'error' : 'ok', result };
      } finally {
        await session.close();
      }
    } catch (e) {
      const needsConsent = provider.authorizationUrl !== undefined;
      progress({ step: 'mcp', server: s.name, outcome: 'error', detail: (e as Error).message, ms: Math.round(performance.now() - t0) });
      return {
        ...base,
        outcome: 'error',
        error: needsConsent
          ? { code: 'consent_required', description: `${s.title} wants the consent screen again: run connect ${s.name}`, stage: 'classic' }
          : { code: 'mcp_error', description: (e as Error).message, stage: 'mcp' },
      };
    }
  }

  // --- status -------------------------------------------------------------------------------------

  async status(opts: { user?: string; app?: string } = {}): Promise<StatusReport> {
    const current = this.store.getCurrent();
    const appName = opts.app ?? current?.app;
    const user = opts.user ?? current?.user;
    if (!appName || !user) return { current, connections: [] };
    const app = this.app(appName);
    const session = this.store.getSession(user, app.name);
    const now = this.now();
    return {
      current,
      ...(session
        ? {
            session: {
              user,
              app: app.name,
              sub: session.sub,
              idTokenExpiresAt: session.id_token_exp,
              refreshToken: !!session.refresh_token,
              loginTraceId: session.login_trace,
              idTokenHash: await tokenHash(session.id_token),
            },
          }
        : {}),
      connections: this.store.listConnections(user, app.name).map((c) => ({
        server: c.server,
        purpose: c.purpose,
        mode: c.mode,
        status: c.status === 'blocked' ? 'blocked by your organization' : c.status,
        scope: c.scope,
        expiresAt: c.expires_at,
        expiresIn: c.expires_at === null ? null : c.expires_at - now,
        jti: c.jti,
        consentScreens: c.consent_screens,
        tools: c.tools ? (JSON.parse(c.tools) as string[]) : [],
        error: c.error ? { code: c.error, description: c.error_description ?? '' } : null,
      })),
    };
  }
}

/**
 * The sample agent: one object behind the CLI commands, the console's agent API and the tests.
 * It owns the configuration, client.db and the flow log; each public method is one user action
 * (one trace, docs/decisions.md §5) and returns a plain outcome (`ok` / `denied` / `error`) with the progress
 * steps it went through.
 */
import type { FlowLog } from '@xaa/node-kit';
import { decodeUnverified, TOKEN_TYPE_REFRESH_TOKEN, tokenHash } from '@xaa/protocol';
import { navigate } from '@xaa/user-agent';
import { type ActionContext, runAction, withinAction } from './action.ts';
import { type AddedServerInput, applyAdded, checkAdded, type KnownServer, knownServers, withAddedServers } from './added-servers.ts';
import { type ClassicState, finishClassic } from './classic.ts';
import { classicDone, classicProvider } from './classic-connection.ts';
import { type AgentApp, type AgentConfig, type AgentServer, findApp, findServer } from './config.ts';
import type { AgentCore } from './core.ts';
import { emitClientEvent, headlessStepEmitter } from './events.ts';
import type { IdpClient, IdTokenResult, IdTokenSource } from './flow.ts';
import { type FetchLike, instrumentedFetch } from './http.ts';
import { beginSamlLogin, completeSamlLogin, type PendingSamlSso } from './legs/saml-sso.ts';
import { beginLogin, completeLogin, headlessLogin, idpClient, type PendingSso, refreshSession, type SsoDeps } from './legs/sso.ts';
import {
  type Base,
  type CallOutcome,
  type ConnectOutcome,
  type LoginOutcome,
  type Outcome,
  parseToolList,
  purposeOf,
  type RefreshOutcome,
  type ServerOutcome,
  type StatusReport,
  worst,
} from './outcomes.ts';
import { ServerConflict, UsageProblem } from './problems.ts';
import type { ProgressSink, ProgressStep } from './progress.ts';
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

export class Agent implements AgentCore {
  readonly config: AgentConfig;
  readonly store: ClientStore;
  readonly flowLog: FlowLog;
  readonly fetch: FetchLike;
  private readonly nowMs: () => number;
  private readonly sso: SsoDeps;
  /** Names of the servers learnt at run time (client.db), laid over the configuration. */
  private readonly added: Set<string>;

  constructor(deps: AgentDeps) {
    const known = withAddedServers(deps.config, deps.store.listAddedServers());
    this.config = known.config;
    this.added = known.added;
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
    this.config.servers.splice(
      this.config.servers.findIndex((s) => s.name === name),
      1,
    );
    for (const a of this.config.apps) delete a.servers[name];
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
    // A SAML session (draft-04 §4.5): the subject token is the IdP refresh token the Assertion was
    // exchanged for; nothing renews it but a new SAML sign-in.
    const samlEnded = (): IdTokenResult => ({
      ok: false,
      kind: 'session_ended',
      code: 'login_required',
      description: `the IdP refused or no longer accepts the refresh token from ${user}'s SAML sign-in: sign in with SAML again`,
    });
    return {
      current: async () => {
        const row = this.store.getSession(user, app.name);
        if (!row)
          return { ok: false, kind: 'no_idp_session', code: 'login_required', description: `${user} is not signed in to ${app.title}: run login first` };
        if (row.protocol === 'saml2')
          return row.refresh_token && row.id_token_exp - this.config.options.expirySkewSeconds > this.now()
            ? { ok: true, idToken: row.refresh_token, subjectTokenType: TOKEN_TYPE_REFRESH_TOKEN }
            : samlEnded();
        if (row.id_token_exp - this.config.options.expirySkewSeconds > this.now()) return { ok: true, idToken: row.id_token };
        return refresh();
      },
      refresh: async () => (this.store.getSession(user, app.name)?.protocol === 'saml2' ? samlEnded() : refresh()),
    };
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
        if (opts.protocol === 'saml') return this.samlLogin(app, opts, ctx.traceId, progress);
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

  /** Leg 1 over SAML: the AuthnRequest (interactive: its URL; headless: the browser walk), then the ACS work. */
  private async samlLogin(
    app: AgentApp,
    opts: { user?: string; headless?: boolean; password?: string },
    traceId: string,
    progress: ProgressSink,
  ): Promise<Omit<LoginOutcome, 'traceId' | 'steps'>> {
    const acs = app.saml?.acs_url as string;
    const t0 = performance.now();
    const failed = (code: string, e: unknown) => {
      const description = (e as Error)?.message ?? String(e);
      progress({ step: 'sso', outcome: 'error', detail: `${code} — ${description}`, ms: Math.round(performance.now() - t0) });
      return { outcome: 'error' as const, app: app.name, user: opts.user, refreshToken: false, consentScreens: 0, error: { code, description } };
    };
    let begun: Awaited<ReturnType<typeof beginSamlLogin>>;
    try {
      begun = await beginSamlLogin(this.sso, app, opts.user);
    } catch (e) {
      return failed('saml_metadata', e);
    }
    emitClientEvent('sso.authorize', 'ok', `${app.title} sends a SAML AuthnRequest (HTTP-Redirect) to the IdP`, {
      http: { method: 'GET', url: `${begun.authorizationUrl.origin}${begun.authorizationUrl.pathname}` },
      data: { protocol: 'saml2', request_id: begun.pending.requestId, entity_id: app.saml?.entity_id, acs },
    });
    if (!opts.headless) {
      this.store.putPending(begun.pending.relayState, 'sso', { ...begun.pending, traceId }, this.now(), 600);
      progress({ step: 'sso', outcome: 'info', detail: `SAML AuthnRequest ready for ${app.title} (ID ${begun.pending.requestId.slice(0, 9)}…)`, ms: 0 });
      return {
        outcome: 'ok',
        app: app.name,
        user: opts.user,
        refreshToken: false,
        consentScreens: 0,
        protocol: 'saml2',
        authorizationUrl: begun.authorizationUrl.href,
        state: begun.pending.relayState,
      };
    }
    if (!opts.user) throw new UsageProblem('A headless login needs --user.');
    const password = opts.password ?? this.config.users.find((u) => u.username === opts.user)?.password;
    if (password === undefined) throw new UsageProblem(`No password for ${opts.user}: pass --password (demo users are listed in playground.json).`);
    let nav: Awaited<ReturnType<typeof navigate>>;
    try {
      nav = await navigate(begun.authorizationUrl, {
        fetch: this.fetch,
        redirectUri: acs,
        credentials: { username: opts.user, password },
        approveConsent: false,
        maxSteps: this.config.options.headlessMaxSteps,
        onStep: headlessStepEmitter('sso'),
      });
    } catch (e) {
      return failed('saml_sso_unreachable', e);
    }
    const samlResponse = nav.ok ? nav.callbackBody?.get('SAMLResponse') : undefined;
    if (!nav.ok || !samlResponse) {
      const failure = nav.ok
        ? { kind: 'error' as const, code: 'saml_no_response', description: 'the IdP did not answer the ACS with a SAMLResponse (HTTP-POST binding)' }
        : { kind: nav.kind === 'login_failed' ? ('denied' as const) : ('error' as const), code: nav.kind, description: nav.message };
      progress({ step: 'sso', outcome: failure.kind, detail: `${failure.code} — ${failure.description}`, ms: Math.round(performance.now() - t0) });
      return {
        outcome: failure.kind,
        app: app.name,
        user: opts.user,
        refreshToken: false,
        consentScreens: 0,
        error: { code: failure.code, description: failure.description },
      };
    }
    const done = await this.finishSaml(app, begun.pending, samlResponse, traceId);
    progress({
      step: 'sso',
      outcome: done.outcome === 'ok' ? 'ok' : done.outcome,
      detail:
        done.outcome === 'ok'
          ? `signed in with SAML as ${opts.user} via ${app.title}; Assertion → IdP refresh token (saml2 → refresh_token)`
          : `${done.error?.code} — ${done.error?.description}`,
      ms: Math.round(performance.now() - t0),
    });
    return { ...done, user: opts.user, consentScreens: 0 };
  }

  /** The ACS work, headless or from the browser: node-saml validates, the IdP trades the Assertion for a refresh token. */
  private async finishSaml(
    app: AgentApp,
    pending: PendingSamlSso,
    samlResponse: string,
    traceId: string,
  ): Promise<Omit<LoginOutcome, 'traceId' | 'steps'> & { outcome: Outcome }> {
    const r = await completeSamlLogin(this.sso, app, pending, samlResponse, () => this.idp(app).tokenEndpoint());
    if (!r.ok) {
      emitClientEvent('sso.token', r.kind, `SAML sign-in failed at ${r.stage}: ${r.code}`, {
        error: { code: r.code, description: r.description },
        data: { protocol: 'saml2', stage: r.stage },
      });
      return {
        outcome: r.kind,
        app: app.name,
        user: pending.user,
        refreshToken: false,
        consentScreens: 0,
        error: { code: r.code, description: r.description },
      };
    }
    const session = r.session;
    emitClientEvent(
      'sso.token',
      'ok',
      `SAML Response accepted (signature verified against the IdP metadata) and its Assertion exchanged for an IdP refresh token`,
      {
        tokens: [
          {
            role: 'saml_assertion',
            header: { format: 'SAML 2.0 Assertion', signature: 'verified by the SP library (node-saml) with the IdP metadata certificates' },
            claims: {
              id: session.assertion.id,
              issuer: session.assertion.issuer,
              audience: session.assertion.audience,
              name_id: session.nameId,
              name_id_format: session.nameIdFormat,
              not_on_or_after: session.assertion.notOnOrAfter,
              email: session.email,
            },
          },
        ],
        data: { protocol: 'saml2', chain: 'saml2 → refresh_token → id-jag', scope: session.scope },
      },
    );
    const user = pending.user ?? session.email?.split('@')[0] ?? session.nameId;
    this.store.saveSession(
      {
        user,
        app: app.name,
        sub: session.nameId,
        id_token: '',
        id_token_exp: session.refreshTokenExpiresAt,
        refresh_token: session.refreshToken,
        login_trace: traceId,
        protocol: 'saml2',
      },
      this.now(),
    );
    this.store.setCurrent(user, app.name);
    return { outcome: 'ok', app: app.name, user, sub: session.nameId, refreshToken: true, consentScreens: 0, protocol: 'saml2' };
  }

  /** The SAML ACS (HTTP-POST binding, SAML Bindings §3.5): finishes a SAML login started by any process. */
  async handleSamlAcs(form: {
    SAMLResponse?: unknown;
    RelayState?: unknown;
  }): Promise<{ outcome: Outcome; kind: 'sso' | 'unknown'; message: string; user?: string | undefined }> {
    const state = typeof form.RelayState === 'string' ? form.RelayState : '';
    const pending = state ? this.store.getPending(state, this.now()) : undefined;
    const p = pending?.data as (PendingSamlSso & { traceId?: string }) | undefined;
    if (!pending || pending.result || pending.kind !== 'sso' || p?.protocol !== 'saml2' || typeof form.SAMLResponse !== 'string' || !form.SAMLResponse)
      return {
        outcome: 'error',
        kind: 'unknown',
        message: 'This SAML response is unknown, expired or already used (RelayState mismatch). Start again from the agent.',
      };
    const app = this.app(p.app);
    return runAction(
      {
        action: 'login',
        flowLog: this.flowLog,
        idpIssuer: this.config.idp.issuer,
        subject: { client: app.name },
        ...(p.traceId ? { traceId: p.traceId } : {}),
      },
      async (ctx) => {
        const r = await this.finishSaml(app, p, form.SAMLResponse as string, ctx.traceId);
        this.store.completePending(
          state,
          r.outcome === 'ok'
            ? { outcome: 'ok', user: r.user, sub: r.sub, refreshToken: true, protocol: 'saml2' }
            : { outcome: r.outcome, code: r.error?.code, description: r.error?.description },
        );
        return r.outcome === 'ok'
          ? {
              outcome: 'ok' as const,
              kind: 'sso' as const,
              message: `Signed in with SAML as ${r.user} via ${app.title}. You can close this window.`,
              user: r.user,
            }
          : { outcome: r.outcome, kind: 'sso' as const, message: `SAML sign-in failed: ${r.error?.code} — ${r.error?.description ?? ''}` };
      },
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
        const provider = classicProvider(this, d.user, app, server, d.purpose, state, undefined, d.saved);
        const r = await finishClassic(provider, { serverUrl: server.url, fetch: this.fetch, callbackUrl: url });
        const out = await classicDone(this, d.user, app, server, d.purpose, r, 1, ctx.traceId, () => {});
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

  async status(opts: { user?: string; app?: string } = {}): Promise<StatusReport> {
    const current = this.store.getCurrent();
    const appName = opts.app ?? current?.app;
    const user = opts.user ?? current?.user;
    const servers = this.servers();
    if (!appName || !user) return { current, servers, connections: [] };
    const app = this.app(appName);
    const session = this.store.getSession(user, app.name);
    const now = this.now();
    return {
      current,
      servers,
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
              protocol: session.protocol,
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
        toolList: parseToolList(c.tool_list ?? null, c.tools),
        error: c.error ? { code: c.error, description: c.error_description ?? '' } : null,
      })),
    };
  }
}

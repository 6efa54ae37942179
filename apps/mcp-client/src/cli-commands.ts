/**
 * The agent's commands for the `xaa` CLI: `login`, `connect`, `call`, `status`, `refresh`, `logout`,
 * each on the agent opened for one command (`withAgent`). Exit codes: 0 success, 3 denied (by the
 * IdP's policy, the account, or a server), 1 error, 2 usage.
 */
import type { CallOutcome, ConnectOutcome, LoginOutcome, Outcome, RefreshOutcome } from './agent.ts';
import { awaitBrowser, type CommandContext, EXIT, errorLine, exitFor, paint, printJson, processIO, progressPrinter, withAgent } from './cli-support.ts';

export interface LoginCommand extends CommandContext {
  user?: string;
  app: string;
  headless?: boolean;
  password?: string;
  /** `saml`: SAML 2.0 Web SSO, then the Assertion → IdP refresh token (draft-04 §4.5). */
  protocol?: 'oidc' | 'saml';
}

export async function login(opts: LoginCommand): Promise<number> {
  const io = opts.io ?? processIO;
  const json = opts.json ?? false;
  return withAgent(opts, async (agent) => {
    let r: LoginOutcome = await agent.login({
      app: opts.app,
      ...(opts.user ? { user: opts.user } : {}),
      headless: opts.headless ?? false,
      ...(opts.password ? { password: opts.password } : {}),
      ...(opts.protocol ? { protocol: opts.protocol } : {}),
      onProgress: progressPrinter(io, json),
    });
    if (r.authorizationUrl && r.state) {
      const done = await awaitBrowser(agent, io, r.authorizationUrl, r.state, 'sign in');
      r = done
        ? {
            ...r,
            outcome: (done.outcome as Outcome) ?? 'error',
            user: typeof done.user === 'string' ? done.user : r.user,
            sub: typeof done.sub === 'string' ? done.sub : undefined,
            idTokenExpiresAt: typeof done.idTokenExpiresAt === 'number' ? done.idTokenExpiresAt : undefined,
            refreshToken: done.refreshToken === true,
            ...(done.protocol === 'saml2' ? { protocol: 'saml2' as const } : {}),
            ...(done.outcome !== 'ok' ? { error: { code: String(done.code), description: String(done.description ?? '') } } : {}),
          }
        : { ...r, outcome: 'error', error: { code: 'timeout', description: 'no sign-in came back to the agent in time' } };
    }
    if (json) printJson(io, r);
    else if (r.outcome === 'ok')
      io.out(
        `signed in as ${r.user} via ${agent.app(r.app).title}${r.protocol === 'saml2' ? ' with SAML (Assertion exchanged for an IdP refresh token)' : r.refreshToken ? ' (IdP refresh token kept)' : ''}\n`,
      );
    else errorLine(io, r.error);
    return exitFor(r.outcome);
  });
}

export interface ConnectCommand extends CommandContext {
  user?: string;
  app?: string;
  servers?: string[];
  scope?: string;
  classic?: boolean;
  headless?: boolean;
}

export async function connect(opts: ConnectCommand): Promise<number> {
  const io = opts.io ?? processIO;
  const json = opts.json ?? false;
  const p = paint(io);
  return withAgent(opts, async (agent) => {
    const r: ConnectOutcome = await agent.connect({
      ...(opts.user ? { user: opts.user } : {}),
      ...(opts.app ? { app: opts.app } : {}),
      ...(opts.servers ? { servers: opts.servers } : {}),
      ...(opts.scope ? { scope: opts.scope } : {}),
      classic: opts.classic ?? false,
      headless: opts.headless ?? false,
      onProgress: progressPrinter(io, json),
    });
    for (const s of r.servers) {
      if (s.status !== 'pending' || !s.authorizationUrl) continue;
      const state = new URL(s.authorizationUrl).searchParams.get('state') ?? '';
      const done = await awaitBrowser(agent, io, s.authorizationUrl, state, `approve ${s.title}`);
      s.status = done?.outcome === 'ok' ? 'connected' : 'error';
      s.consentScreens = typeof done?.consentScreens === 'number' ? done.consentScreens : s.consentScreens;
      s.message = typeof done?.message === 'string' ? done.message : 'no answer came back from the browser in time';
    }
    const outcomes = r.servers.map((s) => (s.status === 'connected' ? 'ok' : s.status === 'blocked' ? 'denied' : 'error'));
    const outcome: Outcome = outcomes.includes('error') ? 'error' : outcomes.includes('denied') ? 'denied' : 'ok';
    const consentScreens = r.servers.reduce((n, s) => n + s.consentScreens, 0);
    if (json) printJson(io, { ...r, outcome, consentScreens });
    else {
      for (const s of r.servers) {
        const mark = s.status === 'connected' ? p.green('✓') : s.status === 'blocked' ? p.yellow('⊘') : p.red('✗');
        io.out(`${mark} ${s.title.padEnd(6)} ${s.message}${s.tools?.length ? p.dim(`  tools: ${s.tools.join(', ')}`) : ''}\n`);
      }
      const viaXaa = r.servers.filter((s) => s.mode === 'xaa' && s.status === 'connected').length;
      const classic = r.servers.filter((s) => s.mode === 'classic').map((s) => s.title);
      const consent =
        consentScreens === 0
          ? p.green('0 consent screens')
          : p.yellow(`${consentScreens} consent screen${consentScreens === 1 ? '' : 's'} (classic OAuth: ${classic.join(', ')})`);
      io.out(
        `${consent}${viaXaa ? p.dim(` · ${viaXaa} server${viaXaa === 1 ? '' : 's'} via XAA with none`) : ''}${r.purpose ? p.dim(` · down-scoped token: ${r.purpose.slice(6)}`) : ''}\n`,
      );
    }
    return exitFor(outcome);
  });
}

export interface CallCommand extends CommandContext {
  user?: string;
  app?: string;
  server: string;
  tool: string;
  args?: Record<string, unknown>;
  scope?: string;
}

export async function call(opts: CallCommand): Promise<number> {
  const io = opts.io ?? processIO;
  const json = opts.json ?? false;
  return withAgent(opts, async (agent) => {
    const r: CallOutcome = await agent.call({
      ...(opts.user ? { user: opts.user } : {}),
      ...(opts.app ? { app: opts.app } : {}),
      server: opts.server,
      tool: opts.tool,
      args: opts.args ?? {},
      ...(opts.scope ? { scope: opts.scope } : {}),
      onProgress: progressPrinter(io, json),
    });
    if (json) printJson(io, r);
    else if (r.result) {
      for (const c of r.result.content ?? []) io.out(c.type === 'text' ? `${c.text}\n` : `${JSON.stringify(c)}\n`);
      if (r.result.structuredContent && !(r.result.content ?? []).length) io.out(`${JSON.stringify(r.result.structuredContent, null, 2)}\n`);
    } else errorLine(io, r.error);
    return exitFor(r.outcome);
  });
}

export async function status(opts: CommandContext & { user?: string; app?: string }): Promise<number> {
  const io = opts.io ?? processIO;
  const p = paint(io);
  return withAgent(opts, async (agent) => {
    const s = await agent.status({ ...(opts.user ? { user: opts.user } : {}), ...(opts.app ? { app: opts.app } : {}) });
    if (opts.json) {
      printJson(io, s);
      return EXIT.ok;
    }
    if (!s.session) {
      io.out('not signed in (run login)\n');
      return EXIT.ok;
    }
    const now = agent.now();
    io.out(
      s.session.protocol === 'saml2'
        ? `${p.bold(s.session.user)} via ${agent.app(s.session.app).title} (SAML): IdP refresh token from the Assertion expires in ${s.session.idTokenExpiresAt - now} s\n`
        : `${p.bold(s.session.user)} via ${agent.app(s.session.app).title}: ID token expires in ${s.session.idTokenExpiresAt - now} s${s.session.refreshToken ? ', IdP refresh token kept' : ''}\n`,
    );
    for (const c of s.connections) {
      const exp = c.expiresIn === null ? '' : c.expiresIn > 0 ? `, token expires in ${c.expiresIn} s` : ', token expired';
      const who = c.purpose ? p.dim(`[sub-agent: ${c.purpose.slice(6)}] `) : '';
      const consent = c.mode === 'classic' ? `, ${c.consentScreens} consent screen${c.consentScreens === 1 ? '' : 's'}` : '';
      io.out(
        `  ${c.server.padEnd(6)} ${who}${c.mode} · ${c.status}${c.scope ? ` · ${c.scope}` : ''}${exp}${consent}${c.error ? p.dim(` (${c.error.code}: ${c.error.description})`) : ''}\n`,
      );
    }
    return EXIT.ok;
  });
}

export async function refresh(opts: CommandContext & { user?: string; app?: string }): Promise<number> {
  const io = opts.io ?? processIO;
  const json = opts.json ?? false;
  return withAgent(opts, async (agent) => {
    const r: RefreshOutcome = await agent.refresh({
      ...(opts.user ? { user: opts.user } : {}),
      ...(opts.app ? { app: opts.app } : {}),
      onProgress: progressPrinter(io, json),
    });
    if (json) printJson(io, r);
    else if (r.outcome === 'ok') io.out(`ID token renewed for ${r.user}\n`);
    else errorLine(io, r.error);
    return exitFor(r.outcome);
  });
}

export async function logout(opts: CommandContext & { user?: string; app?: string }): Promise<number> {
  const io = opts.io ?? processIO;
  return withAgent(opts, async (agent) => {
    const r = agent.logout({ ...(opts.user ? { user: opts.user } : {}), ...(opts.app ? { app: opts.app } : {}) });
    if (opts.json) printJson(io, { outcome: 'ok', ...r });
    else io.out(`signed out ${r.user} from ${r.app} (local tokens deleted)\n`);
    return EXIT.ok;
  });
}

/** The command implementations, for the `xaa` CLI to mount. */
export const clientCommands = { login, connect, call, status, refresh, logout } as const;

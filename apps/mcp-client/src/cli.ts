/**
 * The agent's commands for the `xaa` CLI: `login`, `connect`, `call`, `status`, `refresh`, `logout`.
 * Human output is one line per step with its timing (stderr) and a short result (stdout); `--json`
 * prints one JSON object for scripts. Exit codes: 0 success, 3 denied (by the IdP's policy, the
 * account, or a server), 1 error, 2 usage. The lead's CLI mounts `clientCommands`; `runClientCli`
 * parses argv for the standalone `main.ts`.
 */
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { FlowLog } from '@xaa/node-kit';
import { colours, wantsColour } from '@xaa/node-kit/colour';
import type { Topology } from '@xaa/topology';
import { Agent, type CallOutcome, type ConnectOutcome, type LoginOutcome, type Outcome, type RefreshOutcome, UsageProblem } from './agent.ts';
import { callbackPage } from './api.ts';
import { type AgentConfig, configFromTopology, loadConfig } from './config.ts';
import type { ProgressStep } from './progress.ts';
import { ClientStore } from './store.ts';

export const EXIT = { ok: 0, error: 1, usage: 2, denied: 3 } as const;

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Colour and symbols for a terminal. */
  tty: boolean;
}

export const processIO: CliIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  tty: wantsColour(process.stderr, process.env),
};

/** Where the agent's configuration and client.db come from, plus output options. */
export interface CommandContext {
  dataDir: string;
  /** Use this topology instead of `<dataDir>/playground.json`. */
  topology?: Topology;
  json?: boolean;
  /** Bind tokens with DPoP (RFC 9449) for any app; apps may also default to it in their config. */
  dpop?: boolean;
  io?: CliIO;
}

const exitFor = (o: Outcome) => (o === 'ok' ? EXIT.ok : o === 'denied' ? EXIT.denied : EXIT.error);

const paint = (io: CliIO) => colours(io.tty);

function progressPrinter(io: CliIO, json: boolean) {
  const p = paint(io);
  return (s: ProgressStep) => {
    if (json) return;
    const mark = s.outcome === 'ok' ? p.green('✓') : s.outcome === 'denied' ? p.yellow('⊘') : s.outcome === 'error' ? p.red('✗') : p.cyan('→');
    io.err(`${p.dim(`${String(s.ms).padStart(5)} ms`)}  ${mark} ${s.step.padEnd(12)} ${s.server ? `${p.bold(s.server.padEnd(6))} ` : ''}${s.detail}\n`);
  };
}

/** Open the agent for one command; usage and configuration problems become exit codes 2 and 1. */
async function withAgent(ctx: CommandContext, fn: (agent: Agent, config: AgentConfig) => Promise<number>): Promise<number> {
  const io = ctx.io ?? processIO;
  const p = paint(io);
  let store: ClientStore | undefined;
  try {
    const options = ctx.dpop ? { dpop: true } : {};
    const config = ctx.topology ? configFromTopology(ctx.topology, options) : loadConfig(ctx.dataDir, options);
    store = ClientStore.open(ctx.dataDir);
    return await fn(new Agent({ config, store, flowLog: new FlowLog({ capacity: 500 }) }), config);
  } catch (e) {
    if (e instanceof UsageProblem) {
      io.err(`${p.red('usage:')} ${e.message}\n`);
      return EXIT.usage;
    }
    io.err(`${p.red('error:')} ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT.error;
  } finally {
    store?.close();
  }
}

function printJson(io: CliIO, value: unknown) {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

function errorLine(io: CliIO, e: { code: string; description: string } | undefined) {
  const p = paint(io);
  if (e) io.err(`${p.red('error:')} ${e.code}${e.description ? ` — ${e.description}` : ''}\n`);
}

/** Serve `/callback` on the redirect URI's port while an interactive flow is pending (if nobody else does). */
async function callbackListener(agent: Agent): Promise<Server | undefined> {
  const redirect = new URL(agent.config.redirectUri);
  const acsPaths = new Set(
    agent.config.apps.flatMap((a) => (a.saml && new URL(a.saml.acs_url).origin === redirect.origin ? [new URL(a.saml.acs_url).pathname] : [])),
  );
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', redirect.origin);
    if (req.method === 'POST' && acsPaths.has(url.pathname)) {
      // SAML ACS (HTTP-POST binding): a form with SAMLResponse and RelayState, bounded.
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        body += c;
        if (body.length > 256 * 1024) req.destroy();
      });
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        agent.handleSamlAcs(form).then(
          (r) =>
            res.writeHead(r.outcome === 'ok' ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(callbackPage(r)),
          () => res.writeHead(500, { 'content-type': 'text/plain' }).end('The agent could not finish this sign-in.'),
        );
      });
      return;
    }
    if (req.method !== 'GET' || url.pathname !== redirect.pathname) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    agent.handleCallback(url).then(
      (r) => res.writeHead(r.outcome === 'ok' ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(callbackPage(r)),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('The agent could not finish this sign-in.'),
    );
  });
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined)); // the running playground's agent serves /callback (same client.db)
    server.listen(Number(redirect.port || 80), redirect.hostname === 'localhost' ? '127.0.0.1' : redirect.hostname, () => resolve(server));
  });
}

async function awaitBrowser(agent: Agent, io: CliIO, url: string, state: string, what: string): Promise<Record<string, unknown> | undefined> {
  const p = paint(io);
  const listener = await callbackListener(agent);
  io.err(`${p.cyan('→')} open this URL in your browser to ${what}:\n  ${url}\n${p.dim(`  waiting for ${agent.config.redirectUri} …`)}\n`);
  try {
    return await agent.waitForCallback(state);
  } finally {
    await new Promise<void>((r) => (listener ? listener.close(() => r()) : r()));
  }
}

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

export const CLIENT_HELP = `agent commands (the sample MCP client):
  login --app <app> [--user <name>] [--headless] [--password <pw>] [--protocol oidc|saml]
                                   SSO at the IdP as a client app (headless fills the login form);
                                   --protocol saml: SAML 2.0 Web SSO (e.g. --app acme-desktop), then the
                                   Assertion is exchanged for an IdP refresh token that mints ID-JAGs
  connect [server…] [--scope "<scopes>"] [--classic] [--headless]
                                   ID-JAG → access token → MCP session for each server
  call <server> <tool> [json-args] [--scope "<scopes>"]
                                   call a tool (tokens renewed silently)
  status                           the session and every connection
  refresh                          renew the ID token with the IdP refresh token now
  logout                           forget the session and its tokens
  common: --data-dir <dir>  --json  --user <name>  --app <app>
          --dpop  bind tokens to this session's key (RFC 9449): proofs at the IdP and the AS,
                  Authorization: DPoP at MCP servers (an app may default to it: "dpop": true)
  exit codes: 0 ok · 1 error · 2 usage · 3 denied`;

/** Parse argv (`<command> …`) and run it; for main.ts and for CLIs that forward raw arguments. */
export async function runClientCli(argv: string[], base: { dataDir: string; io?: CliIO }): Promise<number> {
  const io = base.io ?? processIO;
  const [command, ...rest] = argv;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        'data-dir': { type: 'string' },
        json: { type: 'boolean' },
        user: { type: 'string' },
        app: { type: 'string' },
        password: { type: 'string' },
        protocol: { type: 'string' },
        headless: { type: 'boolean' },
        classic: { type: 'boolean' },
        scope: { type: 'string' },
        dpop: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const ctx: CommandContext = { dataDir: values['data-dir'] ?? base.dataDir, json: values.json ?? false, ...(values.dpop ? { dpop: true } : {}), io };
    const who = { ...(values.user ? { user: values.user } : {}), ...(values.app ? { app: values.app } : {}) };
    if (values.help || !command || command === 'help') {
      io.out(`${CLIENT_HELP}\n`);
      return command || values.help ? EXIT.ok : EXIT.usage;
    }
    switch (command) {
      case 'login':
        if (!values.app) throw new UsageProblem('login needs --app (e.g. --app acme-agent).');
        if (values.protocol !== undefined && values.protocol !== 'oidc' && values.protocol !== 'saml')
          throw new UsageProblem(`--protocol is oidc or saml, not "${values.protocol}".`);
        return await login({
          ...ctx,
          ...who,
          app: values.app,
          headless: values.headless ?? false,
          ...(values.password ? { password: values.password } : {}),
          ...(values.protocol ? { protocol: values.protocol } : {}),
        });
      case 'connect':
        return await connect({
          ...ctx,
          ...who,
          servers: positionals,
          ...(values.scope ? { scope: values.scope } : {}),
          classic: values.classic ?? false,
          headless: values.headless ?? false,
        });
      case 'call': {
        const [server, tool, rawArgs] = positionals;
        if (!server || !tool) throw new UsageProblem('call needs <server> <tool> [json-args].');
        let args: Record<string, unknown> = {};
        if (rawArgs !== undefined) {
          try {
            args = JSON.parse(rawArgs) as Record<string, unknown>;
          } catch {
            throw new UsageProblem(`the tool arguments must be a JSON object, got: ${rawArgs}`);
          }
          if (!args || typeof args !== 'object' || Array.isArray(args)) throw new UsageProblem('the tool arguments must be a JSON object.');
        }
        return await call({ ...ctx, ...who, server, tool, args, ...(values.scope ? { scope: values.scope } : {}) });
      }
      case 'status':
        return await status({ ...ctx, ...who });
      case 'refresh':
        return await refresh({ ...ctx, ...who });
      case 'logout':
        return await logout({ ...ctx, ...who });
      default:
        throw new UsageProblem(`unknown command "${command}".`);
    }
  } catch (e) {
    const p = paint(io);
    if (e instanceof UsageProblem || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${p.red('usage:')} ${(e as Error).message}\n\n${CLIENT_HELP}\n`);
      return EXIT.usage;
    }
    io.err(`${p.red('error:')} ${(e as Error)?.message ?? String(e)}\n`);
    return EXIT.error;
  }
}

/**
 * What every agent command of the CLI shares: exit codes, output (one line per step with its timing on
 * stderr, a short result or `--json` on stdout), opening the agent on a data directory, and the
 * browser leg of an interactive flow (serving the redirect URI and the SAML ACS while it is pending).
 */
import { createServer, type Server } from 'node:http';
import { FlowLog } from '@xaa/node-kit';
import { colours, wantsColour } from '@xaa/node-kit/colour';
import type { Topology } from '@xaa/topology';
import { Agent, type Outcome, UsageProblem } from './agent.ts';
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

export const exitFor = (o: Outcome) => (o === 'ok' ? EXIT.ok : o === 'denied' ? EXIT.denied : EXIT.error);

export const paint = (io: CliIO) => colours(io.tty);

export function progressPrinter(io: CliIO, json: boolean) {
  const p = paint(io);
  return (s: ProgressStep) => {
    if (json) return;
    const mark = s.outcome === 'ok' ? p.green('✓') : s.outcome === 'denied' ? p.yellow('⊘') : s.outcome === 'error' ? p.red('✗') : p.cyan('→');
    io.err(`${p.dim(`${String(s.ms).padStart(5)} ms`)}  ${mark} ${s.step.padEnd(12)} ${s.server ? `${p.bold(s.server.padEnd(6))} ` : ''}${s.detail}\n`);
  };
}

/** Open the agent for one command; usage and configuration problems become exit codes 2 and 1. */
export async function withAgent(ctx: CommandContext, fn: (agent: Agent, config: AgentConfig) => Promise<number>): Promise<number> {
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

export function printJson(io: CliIO, value: unknown) {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

export function errorLine(io: CliIO, e: { code: string; description: string } | undefined) {
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

export async function awaitBrowser(agent: Agent, io: CliIO, url: string, state: string, what: string): Promise<Record<string, unknown> | undefined> {
  const p = paint(io);
  const listener = await callbackListener(agent);
  io.err(`${p.cyan('→')} open this URL in your browser to ${what}:\n  ${url}\n${p.dim(`  waiting for ${agent.config.redirectUri} …`)}\n`);
  try {
    return await agent.waitForCallback(state);
  } finally {
    await new Promise<void>((r) => (listener ? listener.close(() => r()) : r()));
  }
}

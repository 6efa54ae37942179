import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { DEMO_PASSWORD, defaultTopology } from '@xaa/topology';
import { ensureDataDir } from '../data-dir.ts';
import { bold, CliError, cyan, dim, EXIT, Progress, red } from '../output.ts';
import type { PlaygroundPart } from '../parts.ts';
import { startPlayground } from '../playground.ts';

export interface StartOptions {
  dataDir: string;
  host: string;
  listen: string;
  basePort: number;
  allowRemote: boolean;
  json: boolean;
  only?: PlaygroundPart[];
  /** Run the IdP and the servers in worker threads executing this module (the CLI's entry). */
  threadEntry?: URL;
  /** How many threads the sample servers are split across (with `threadEntry`). */
  serverThreads?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || (isIP(host) === 4 && host.startsWith('127.'));
}

/**
 * A data directory is seeded on its first start with that start's URLs: the IdP's registered redirect
 * URIs, the servers' issuers and resources, the audiences its policies and tokens name. Started on
 * another port or host, it would run with registrations for the old URLs and a sign-in would fail with
 * `invalid_redirect_uri`. The manifest of the last start says which URLs those were.
 */
function checkSeededFor(dataDir: string, host: string, basePort: number): void {
  if (!existsSync(join(dataDir, 'idp.db'))) return;
  let previous: unknown;
  try {
    previous = (JSON.parse(readFileSync(join(dataDir, 'playground.json'), 'utf8')) as { idp?: { issuer?: unknown } }).idp?.issuer;
  } catch {
    return;
  }
  const issuer = defaultTopology({ host, basePort }).idp.issuer;
  if (typeof previous !== 'string' || previous === issuer) return;
  const was = URL.canParse(previous) ? new URL(previous) : undefined;
  throw new CliError(
    `The data directory ${dataDir} was set up for a playground at ${previous} (its users, apps and policies name those URLs), not ${issuer}. ` +
      `Start it as before${was ? ` (--port ${was.port || (was.protocol === 'https:' ? 443 : 80)}${was.hostname !== host ? ` --host ${was.hostname}` : ''})` : ''}, ` +
      `use another --data-dir, or reset this one for the new address with \`npx xaa reset --data-dir ${dataDir}\` (everything goes back to the seed).`,
    EXIT.usage,
  );
}

/** `xaa start`: the whole playground in this process (the IdP and the servers on threads of their own) until Ctrl-C. */
export async function startCommand(options: StartOptions): Promise<number> {
  if (!isLoopback(options.listen) && !options.allowRemote)
    throw new CliError(
      `Refusing to listen on ${options.listen}: the playground runs with demo users (password "${DEMO_PASSWORD}") and demo secrets. ` +
        'Use a loopback address, or pass --allow-remote if you really mean to expose it.',
      EXIT.usage,
    );
  const dataDir = ensureDataDir(options.dataDir);
  checkSeededFor(dataDir, options.host, options.basePort);
  const progress = new Progress(options.json);
  progress.step('Data directory', dataDir);
  const pg = await startPlayground({
    dataDir,
    host: options.host,
    listenHost: options.listen,
    basePort: options.basePort,
    ...(options.only ? { only: options.only } : {}),
    ...(options.serverThreads ? { serverThreads: options.serverThreads } : {}),
    ...(options.threadEntry
      ? {
          threads: {
            entry: options.threadEntry,
            // A part that dies takes the playground down, as it did on one thread: a half-running
            // playground would teach the wrong lesson.
            onCrash: (part: PlaygroundPart, error: Error) => {
              process.stderr.write(`${red('error:')} the ${part} stopped unexpectedly: ${error.stack ?? error.message}\n`);
              process.exit(EXIT.error);
            },
          },
        }
      : {}),
    onStep: (label, detail) => progress.step(label, detail),
  });
  // Since this process started (performance.now() counts from process start), module loading included.
  const readyMs = performance.now();
  const t = pg.topology;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ ready: true, readyMs: Math.round(readyMs), console: t.console.url, manifest: pg.manifestPath, pid: process.pid, threads: pg.partThreads })}\n`,
    );
  } else {
    const users = t.users.map((u) => `${bold(u.username.padEnd(6))} ${dim(`${u.groups.join(', ')}${u.admin ? ', console admin' : ''}`)}`);
    process.stdout.write(
      [
        '',
        `${bold('XAA Playground is ready')} ${dim(`in ${(readyMs / 1000).toFixed(1)} s`)}`,
        '',
        `  Console     ${cyan(t.console.url)}   ${dim('sign in as carol')}`,
        `  IdP         ${t.idp.issuer}`,
        ...t.servers.map((s) => `  ${s.title.padEnd(11)} ${s.resource}  ${dim(s.xaa ? 'ID-JAG' : 'classic OAuth only')}`),
        `  Agent       ${t.agent.url}`,
        '',
        `  Demo users (password "${DEMO_PASSWORD}"):`,
        ...users.map((u) => `    ${u}`),
        '',
        `  Manifest    ${pg.manifestPath}`,
        `  ${dim('Ctrl-C stops everything.')}`,
        '',
      ].join('\n'),
    );
  }
  // The first SIGINT/SIGTERM stops cleanly; wrappers (npm, scripts/start.mjs) may deliver the same
  // Ctrl-C twice, so a repeat is ignored — a third while still stopping forces the exit.
  let signals = 0;
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      signals += 1;
      if (signals === 1) resolve();
      else if (signals >= 3) process.exit(130);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  if (!options.json) process.stderr.write(dim('\nstopping…\n'));
  await pg.close();
  return EXIT.ok;
}

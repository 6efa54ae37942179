#!/usr/bin/env -S npx tsx
/**
 * `xaa`: the playground's one CLI (README, "The xaa CLI"). The only module of the CLI that reads process.env.
 * Exit codes: 0 success, 1 error, 2 usage, 3 denied.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ListenError, parseCliArgs } from '@xaa/node-kit';
import { loadTopology, writeManifest } from '@xaa/topology';
import { decodeCommand } from './commands/decode.ts';
import { infoCommand } from './commands/info.ts';
import { resetCommand } from './commands/reset.ts';
import { ensureDataDir } from './data-dir.ts';
import { CliError, EXIT, red, UsageError } from './output.ts';
import { isPartWorker, runPartWorker, SOURCE_THREAD_ENTRY } from './part-thread.ts';
import { PLAYGROUND_PARTS, type PlaygroundPart, quietly } from './parts.ts';

const HELP = `xaa — the XAA Playground CLI (from the repository root: npx xaa <command>)

  xaa start [--host localhost] [--listen 127.0.0.1] [--port 4000] [--allow-remote]
                                 start the whole playground (Ctrl-C stops it)
  xaa start --only idp,servers   start only some parts (one container per app)
  xaa start --single-thread      everything on one thread (default: the IdP and the servers get one each)
  xaa start --server-threads 2   the sample servers split across N threads (default 1)
  xaa init                       write secrets.json and playground.json, start nothing
  xaa reset                      restore the seeded demo (playground stopped)
  xaa info                       where everything is (from playground.json)
  xaa decode <jwt|->             decode a JWT's header and claims, lint ID-JAG rules
  xaa scenario [list|<id>|all]   run the demo stories against the running playground
  xaa test-as --server tasks     attack scorecard for an AS (xaa test-as --help)
  xaa test-client --command "…"  grade an MCP client, with IdP fault injection (xaa test-client --help)
  xaa add-server <MCP URL>       bring your MCP server: discover, register at the IdP, connect an app,
                                 the values for your AS, the AS scorecard (xaa add-server --help)
  xaa add-client --title "…" --redirect-uri <url>
                                 bring your MCP client: register it at the IdP, the values it needs

  xaa login | connect | call | status | refresh | logout
                                 the sample agent (xaa login --help for details)

Common options: --data-dir <dir> (default $XAA_DATA_DIR or .data), --json
Exit codes: 0 ok · 1 error · 2 usage · 3 denied`;

/** What a worker thread of `xaa start` runs: this module (bundled), or a tsx bootstrap that loads it (sources). */
function threadEntry(): URL {
  const self = new URL(import.meta.url);
  return self.pathname.endsWith('.ts') ? SOURCE_THREAD_ENTRY : self;
}

/** The sample agent's commands (apps/mcp-client), mounted as they are. */
const CLIENT_COMMANDS = new Set(['login', 'connect', 'call', 'status', 'refresh', 'logout']);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP}\n`);
    return command ? EXIT.ok : EXIT.usage;
  }
  if (CLIENT_COMMANDS.has(command)) {
    const { runClientCli } = await import('@xaa/mcp-client');
    return runClientCli(argv, { dataDir: resolve(process.env.XAA_DATA_DIR ?? '.data') });
  }
  if (command === 'test-as' || command === 'test-client') {
    const { scorecardCommand } = await import('@xaa/scorecard/cli');
    return scorecardCommand(command, rest, { dataDir: resolve(process.env.XAA_DATA_DIR ?? '.data'), noColor: !!process.env.NO_COLOR });
  }
  if (command === 'add-server' || command === 'add-client') {
    const { addServerCommand, addClientCommand } = await import('./commands/add.ts');
    const dataDir = resolve(process.env.XAA_DATA_DIR ?? '.data');
    return command === 'add-server' ? addServerCommand(rest, { dataDir }) : addClientCommand(rest, { dataDir });
  }
  const { values, positionals } = parseCliArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      host: { type: 'string' },
      listen: { type: 'string' },
      port: { type: 'string' },
      'allow-remote': { type: 'boolean', default: false },
      only: { type: 'string' },
      'single-thread': { type: 'boolean', default: false },
      'server-threads': { type: 'string' },
    },
  });
  const dataDir = resolve(values['data-dir'] ?? process.env.XAA_DATA_DIR ?? '.data');
  const json = values.json ?? false;
  switch (command) {
    case 'start': {
      const basePort = Number.parseInt(values.port ?? process.env.XAA_BASE_PORT ?? '4000', 10);
      if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65000) throw new UsageError(`--port must be a port number, got ${values.port}`);
      const pidFile = join(dataDir, 'playground.pid');
      try {
        const host = values.host ?? process.env.XAA_HOST ?? 'localhost';
        const listen = values.listen ?? process.env.XAA_LISTEN_HOST ?? '127.0.0.1';
        const onlyList = (values.only ?? process.env.XAA_ONLY)
          ?.split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        const serverThreadsText = values['server-threads'] ?? process.env.XAA_SERVER_THREADS;
        const serverThreads = serverThreadsText === undefined ? undefined : Number(serverThreadsText);
        if (serverThreads !== undefined && !(Number.isInteger(serverThreads) && serverThreads >= 1 && serverThreads <= 4))
          throw new UsageError(`--server-threads takes 1 to 4, got ${serverThreadsText}`);
        const bad = onlyList?.filter((p) => !(PLAYGROUND_PARTS as readonly string[]).includes(p));
        if (bad?.length) throw new UsageError(`--only takes ${PLAYGROUND_PARTS.join(', ')}; got ${bad.join(', ')}`);
        // Loaded on demand: the other commands should not pay for starting every app's modules.
        const { startCommand } = await quietly(() => import('./commands/start.ts'));
        const run = startCommand({
          dataDir,
          host,
          listen,
          basePort,
          allowRemote: values['allow-remote'] === true || process.env.XAA_ALLOW_REMOTE === '1',
          json,
          ...(onlyList ? { only: onlyList as PlaygroundPart[] } : {}),
          ...(serverThreads !== undefined ? { serverThreads } : {}),
          // The IdP and the servers get a thread each, running this same entry module.
          ...(values['single-thread'] || process.env.XAA_SINGLE_THREAD === '1' ? {} : { threadEntry: threadEntry() }),
        });
        setImmediate(() => {
          try {
            writeFileSync(pidFile, String(process.pid));
          } catch {
            // the data-dir check inside startCommand reports an unwritable directory
          }
        });
        return await run;
      } finally {
        try {
          rmSync(pidFile, { force: true });
        } catch {
          // the data directory was never usable; startCommand said so
        }
      }
    }
    case 'init': {
      const basePort = Number.parseInt(values.port ?? process.env.XAA_BASE_PORT ?? '4000', 10);
      const topology = loadTopology({ dataDir: ensureDataDir(dataDir), host: values.host ?? process.env.XAA_HOST ?? 'localhost', basePort });
      const path = writeManifest(topology);
      process.stdout.write(json ? `${JSON.stringify({ manifest: path })}\n` : `wrote ${path}\n`);
      return EXIT.ok;
    }
    case 'reset':
      return resetCommand({ dataDir, json });
    case 'info':
      return infoCommand({ dataDir, json });
    case 'decode':
      return decodeCommand({ token: positionals[0], json });
    case 'scenario':
    case 'scenarios': {
      const { scenarioCommand } = await import('./commands/scenario.ts');
      return scenarioCommand({ dataDir, target: positionals[0], json });
    }
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

// A worker thread of `xaa start` runs this module too: it starts its part instead of the CLI.
if (isPartWorker()) void runPartWorker();
else
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        process.stderr.write(`${red('usage:')} ${(e as Error).message}\n\n${HELP}\n`);
        process.exit(EXIT.usage);
      }
      if (e instanceof CliError || e instanceof ListenError) {
        process.stderr.write(`${red('error:')} ${(e as Error).message}\n`);
        process.exit(e instanceof CliError ? e.exitCode : EXIT.error);
      }
      process.stderr.write(`${red('unexpected error:')} ${(e as Error)?.stack ?? String(e)}\n`);
      process.exit(EXIT.error);
    },
  );

#!/usr/bin/env -S npx tsx
/**
 * The agent as a process. The only module (with conformance.ts) that reads the environment:
 *   XAA_DATA_DIR      data directory (default .data); configuration from its playground.json
 *   XAA_HOST          hostname in URLs (default localhost)
 *   XAA_BASE_PORT     first port of the topology (default 4000)
 *   XAA_LISTEN_HOST   listen address (default 127.0.0.1)
 *   XAA_REDACT        1 = signature-stripped tokens in the live view
 *
 *   tsx src/main.ts serve                 run the agent's callback and console API (port 4200)
 *   tsx src/main.ts login --app acme-agent --user alice --headless
 *   tsx src/main.ts connect | call <server> <tool> [json] | status | refresh | logout
 */
import { resolve } from 'node:path';
import { loadTopology } from '@xaa/topology';
import { runClientCli } from './cli.ts';
import { start } from './index.ts';

const env = process.env;
const dataDir = resolve(env.XAA_DATA_DIR ?? '.data');
const [command, ...rest] = process.argv.slice(2);

if (command === 'serve') {
  const topology = loadTopology({
    dataDir,
    ...(env.XAA_HOST ? { host: env.XAA_HOST } : {}),
    ...(env.XAA_BASE_PORT ? { basePort: Number(env.XAA_BASE_PORT) } : {}),
  });
  try {
    const running = await start({ topology, dataDir, host: env.XAA_LISTEN_HOST ?? '127.0.0.1', redact: env.XAA_REDACT === '1' });
    const stop = async () => {
      await running.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (e) {
    console.error(`[agent] ${(e as Error).message}`);
    process.exit(1);
  }
} else {
  process.exit(await runClientCli([command ?? 'help', ...rest], { dataDir }));
}

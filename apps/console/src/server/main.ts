/** `pnpm --filter @xaa/console start`: the console alone. The only reader of process.env here. */
import { loadTopology } from '@xaa/topology';
import { start } from './index.ts';

const dataDir = process.env.XAA_DATA_DIR ?? '.data';
const basePort = process.env.XAA_BASE_PORT ? Number(process.env.XAA_BASE_PORT) : undefined;
const topology = loadTopology({ dataDir, ...(process.env.XAA_HOST ? { host: process.env.XAA_HOST } : {}), ...(basePort ? { basePort } : {}) });
const running = await start({
  topology,
  dataDir,
  host: process.env.XAA_LISTEN_HOST ?? '127.0.0.1',
  dev: process.env.XAA_CONSOLE_DEV === '1',
});
console.log(`XAA Console: ${running.url}`);
const stop = () => running.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

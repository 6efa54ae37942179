/**
 * The console: React SPA + its backend-for-frontend, as a function (contracts "Apps are functions").
 * `start()` opens `<dataDir>/console.db`, builds the SPA if `dist/` is missing, and listens on the
 * console port of the topology (loopback by default).
 */
import { join } from 'node:path';
import { listen } from '@xaa/node-kit';
import type { Topology } from '@xaa/topology';
import type Koa from 'koa';
import { createApp } from './app.ts';
import { type ConsoleConfig, DEFAULTS } from './config.ts';
import { SessionStore } from './sessions.ts';
import { ensureBuilt, spaRoutes } from './spa.ts';

export interface ConsoleStartOptions {
  topology: Topology;
  dataDir: string;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port override (default: topology.console.port; 0 = any free port). */
  port?: number;
  quiet?: boolean;
  config?: Partial<ConsoleConfig>;
  fetchFn?: typeof fetch;
  /** Serve the SPA through Vite's dev middleware (hot reload) instead of dist/. */
  dev?: boolean;
}

export interface RunningConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function start(options: ConsoleStartOptions): Promise<RunningConsole> {
  const config: ConsoleConfig = { ...DEFAULTS, ...options.config };
  const log = options.quiet ? () => {} : (m: string) => console.log(`[console] ${m}`);
  const sessions = new SessionStore(join(options.dataDir, 'console.db'));
  sessions.purgeExpired();
  let spa: Koa.Middleware;
  let closeVite: (() => Promise<void>) | undefined;
  try {
    if (options.dev) {
      const { devMiddleware } = await import('./dev.ts');
      const dev = await devMiddleware();
      spa = dev.middleware;
      closeVite = dev.close;
    } else {
      await ensureBuilt({ quiet: options.quiet ?? false });
      spa = spaRoutes();
    }
  } catch (e) {
    sessions.close();
    throw e;
  }
  const app = createApp({ topology: options.topology, config, sessions, fetchFn: options.fetchFn ?? fetch, log, spa });
  let server: Awaited<ReturnType<typeof listen>>;
  try {
    server = await listen(app.callback(), options.port ?? options.topology.console.port, options.host ?? '127.0.0.1', 'console');
  } catch (e) {
    sessions.close();
    await closeVite?.();
    throw e;
  }
  const purge = setInterval(() => sessions.purgeExpired(), 60_000);
  purge.unref();
  const url = options.topology.console.url;
  log(`listening on ${url}`);
  return {
    url,
    port: server.port,
    close: async () => {
      clearInterval(purge);
      await server.close();
      await closeVite?.();
      sessions.close();
    },
  };
}

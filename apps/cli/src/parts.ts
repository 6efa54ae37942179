/** The parts `xaa start --only` can start (one container per app in docker-compose). */
import type { Topology } from '@xaa/topology';

export const PLAYGROUND_PARTS = ['idp', 'servers', 'client', 'console'] as const;
export type PlaygroundPart = (typeof PLAYGROUND_PARTS)[number];

/** What every part's `start()` takes (plain data: it crosses into a worker thread as is). */
export interface PartOptions {
  topology: Topology;
  dataDir: string;
  host: string;
  quiet: boolean;
  /** `servers` part: only these sample servers (the servers can be split across threads). */
  servers?: string[];
  /** `idp` part: create or load the SAML signing key before answering. */
  samlWarmUp?: boolean;
}

export interface RunningPart {
  close(): Promise<void>;
}

/**
 * oidc-provider warns on import that it prefers Node 22 LTS; the playground supports and tests Node
 * 20.19 and later, so on start that one line is noise. Everything else it says is kept.
 */
export async function quietly<T>(load: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return await load();
  } finally {
    console.warn = warn;
  }
}

/** Loads a part's app (only that one: a worker thread pays for the modules it runs) and starts it. */
export async function startPart(part: PlaygroundPart, options: PartOptions): Promise<RunningPart> {
  switch (part) {
    case 'idp':
      return (await quietly(() => import('@xaa/idp'))).start(options);
    case 'servers':
      return (await quietly(() => import('@xaa/mcp-server'))).start(options);
    case 'client':
      return (await import('@xaa/mcp-client')).start(options);
    case 'console':
      return (await import('@xaa/console')).start(options);
  }
}

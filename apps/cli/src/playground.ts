/**
 * The whole playground: the IdP, the sample servers, the sample client and the console, each on its
 * own loopback port and with its own database, exactly as their `start()` functions (docs/decisions.md §1). They
 * talk to each other only over HTTP. Used by `xaa start`, the e2e suite and the benchmarks.
 *
 * In one thread by default; with `threads`, the IdP and the servers (the token endpoints and the MCP
 * calls: all of the load) run in worker threads of their own — the IdP in one, the servers split
 * across two — in the same process.
 */
import { loadTopology, type Topology, writeManifest } from '@xaa/topology';
import { PartThread } from './part-thread.ts';
import { type PartOptions, type PlaygroundPart, type RunningPart, startPart } from './parts.ts';

export interface PlaygroundOptions {
  dataDir: string;
  host?: string;
  /** Address to listen on (default 127.0.0.1). */
  listenHost?: string;
  basePort?: number;
  quiet?: boolean;
  /** Called as each part comes up (progress output). */
  onStep?: (label: string, detail?: string) => void;
  /** Start only these parts (one container per app in docker-compose); default: all. */
  only?: readonly PlaygroundPart[];
  /**
   * Run the IdP and the servers in worker threads. `entry` is the module a worker runs: the CLI's
   * entry (it hands over to the part when it is a part's worker). `onCrash` hears of a part whose
   * thread ended without being asked to.
   */
  threads?: { entry: URL; onCrash: (part: PlaygroundPart, error: Error) => void };
  /** With `threads`: how many threads the sample servers are split across (default 1). */
  serverThreads?: number;
}

export interface RunningPlayground {
  topology: Topology;
  manifestPath: string;
  /** How many worker threads run parts. */
  threads: number;
  /** Each worker thread: its part, the servers it runs, its operating-system thread id (Linux). */
  partThreads: Array<{ part: PlaygroundPart; servers?: string[]; tid?: number }>;
  close(): Promise<void>;
}

/**
 * The sample servers split across this many threads by default: one, beside the IdP's. A second
 * (`--server-threads 2`: round robin in topology order, so Tasks and Docs land on different threads)
 * splits the queue of the busiest thread: at 100 concurrent flows 15–25 % more throughput and a lower
 * median, but no reliably lower p99 on two cores (three busy threads then wait for a core, the IdP's
 * among them), for 40–50 MB more resident at start and 50–80 MB more after a minute of load
 * (`npm run harness:load -- --npm-start`), which puts the whole `npm start` tree at or past its
 * 450 MB budget. One stays the default.
 */
const SERVER_THREADS = 1;

interface Unit {
  part: PlaygroundPart;
  options: PartOptions;
  thread: boolean;
}

export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const step = options.onStep ?? (() => {});
  const topology = loadTopology({
    dataDir: options.dataDir,
    ...(options.host ? { host: options.host } : {}),
    ...(options.basePort ? { basePort: options.basePort } : {}),
  });
  const common: PartOptions = { topology, dataDir: options.dataDir, host: options.listenHost ?? '127.0.0.1', quiet: options.quiet ?? true };
  const parts = (['idp', 'servers', 'client', 'console'] as const).filter((p) => !options.only || options.only.includes(p));
  // A thread pays off only beside other parts; a single part (one container) runs on the main thread.
  const threaded = options.threads !== undefined && parts.length > 1;
  const units: Unit[] = parts.flatMap((part): Unit[] => {
    if (part === 'idp') return [{ part, options: { ...common, samlWarmUp: true }, thread: threaded }];
    if (!threaded || part !== 'servers') return [{ part, options: common, thread: false }];
    const n = options.serverThreads ?? SERVER_THREADS;
    const groups = Array.from({ length: n }, (_, i) => topology.servers.filter((_s, k) => k % n === i).map((s) => s.name));
    return groups.filter((g) => g.length > 0).map((servers) => ({ part, options: { ...common, servers }, thread: true }));
  });
  const threads = new Map<Unit, PartThread>();
  const running: RunningPart[] = [];
  const close = async () => {
    // Started parts in reverse order; then threads spawned but never started (a start failed first).
    for (const r of running.reverse()) await r.close().catch(() => {});
    for (const t of threads.values()) await t.close().catch(() => {});
  };
  try {
    // Every thread is spawned at once, so their modules load in parallel; the parts start in order.
    if (options.threads)
      for (const u of units.filter((x) => x.thread)) threads.set(u, new PartThread(u.part, u.options, options.threads.entry, options.threads.onCrash));
    const manifestPath = writeManifest(topology);
    const labels: Record<PlaygroundPart, [string, string]> = {
      idp: ['IdP', topology.idp.issuer],
      servers: ['MCP servers', topology.servers.map((s) => `${s.title} ${s.issuer}`).join(' · ')],
      client: ['Sample client', topology.agent.url],
      console: ['Console', topology.console.url],
    };
    // In order: the servers read the IdP's metadata, the console signs in through the IdP; server
    // threads one after the other (they share resource.db, whose migrations one of them runs).
    for (const [i, u] of units.entries()) {
      const thread = threads.get(u);
      if (thread) {
        running.push({ close: () => thread.close() });
        await thread.start();
      } else running.push(await startPart(u.part, u.options));
      if (units[i + 1]?.part !== u.part) step(...labels[u.part]);
    }
    step('Manifest', manifestPath);
    const partThreads = [...threads].map(([u, t]) => ({
      part: u.part,
      ...(u.options.servers ? { servers: [...u.options.servers] } : {}),
      ...(t.tid !== undefined ? { tid: t.tid } : {}),
    }));
    return { topology, manifestPath, threads: threads.size, partThreads, close };
  } catch (e) {
    await close();
    throw e;
  }
}

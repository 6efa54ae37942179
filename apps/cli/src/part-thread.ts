/**
 * A playground part in a worker thread of its own: the IdP and the sample servers each get an event
 * loop (and a core, where there is one) instead of sharing one, so a burst of token exchanges does not
 * queue behind MCP calls. Still one process: Ctrl-C, `kill -9` and the pid file mean what they did.
 *
 * The worker runs the CLI's own entry module (`entry`: the bundle under `npm start`, main.ts under
 * tsx), which hands control to `runPartWorker` when it finds `workerData.xaaPart`.
 */
import { readlinkSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ListenError } from '@xaa/node-kit';
import { type PartOptions, type PlaygroundPart, type RunningPart, startPart } from './parts.ts';

interface PartWorkerData {
  xaaPart: PlaygroundPart;
  options: PartOptions;
}

type FromWorker = { type: 'loaded' } | { type: 'ready'; tid?: number } | { type: 'closed' } | { type: 'failed'; error: SerializedError };
type ToWorker = { type: 'start' } | { type: 'close' };

interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

function serialize(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}), ...(err.stack ? { stack: err.stack } : {}) };
}

/** The worker's error as the main thread's: a port in use stays a `ListenError` (the CLI's clear message). */
function revive(e: SerializedError): Error {
  const err = e.name === 'ListenError' && e.code ? new ListenError(e.message, e.code) : Object.assign(new Error(e.message), e.code ? { code: e.code } : {});
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * The module a worker thread runs when the playground runs from its TypeScript sources (registers
 * tsx, then the CLI entry). The bundled CLI passes its own URL instead.
 */
export const SOURCE_THREAD_ENTRY = new URL('./thread-entry.mjs', import.meta.url);

/**
 * Each part thread's young generation (V8's nursery, where a request's objects are made; by default
 * it grows to 48 MB per thread under load, and that memory stays resident afterwards). What decides
 * its cost is what is still alive when it fills: that is copied, and copied again into the old
 * generation once it survives twice. The IdP answers a token exchange within milliseconds, so its
 * requests' objects die young in a small nursery. The sample servers' thread is where 100
 * concurrent flows queue (each request waits there for tens of milliseconds): in a 12 MB nursery
 * most of a waiting request's objects were promoted and collected again by the old generation.
 * Measured at 100 concurrent flows (`npm run harness:load`, runs interleaved): 32 MB instead of 12
 * saved about 0.3 ms of CPU per full flow (the servers' thread and V8's collector threads); 64 MB
 * instead of 32 about 0.1 ms more (a third of each scavenge's objects still survived at 32 MB, with
 * a scavenge every 70 ms), 5–10 % more flows per second, for about 25 MB more resident memory after
 * the load. 96 and 160 MB gave nothing more (160: 85 MB more memory); a larger IdP nursery neither.
 */
const YOUNG_GENERATION_MB: Record<PlaygroundPart, number> = { idp: 12, servers: 64, client: 12, console: 12 };

/**
 * Each part thread's old generation cap: far above what a part holds (tens of MB: its event ring,
 * caches, in-flight requests), and it makes V8 size the heap as a small one. Without a cap a thread
 * may grow to the machine's default limit (4 GB here), and V8 then lets the old generation reach
 * four times the live data before collecting it (about 135 MB for the four sample servers after a
 * minute of load, a third of it live); under a 1 GB cap it collects at about twice (about 50 MB).
 * The price is collection time: about 0.3 ms more CPU per full flow at 100 concurrent flows
 * (`npm run harness:load`), for about 100 MB less resident memory.
 * A thread that ever reached the cap would end with ERR_WORKER_OUT_OF_MEMORY, reported as a crash
 * of that part.
 */
const OLD_GENERATION_MB = 1024;

/**
 * The operating-system id of the calling thread (Linux: `/proc/thread-self` links to
 * `<pid>/task/<tid>`), so a tool can read that thread's CPU time in `/proc/<pid>/task/<tid>/stat`;
 * undefined elsewhere.
 */
export function osThreadId(): number | undefined {
  try {
    const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
    return Number.isSafeInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** True in a worker started by `PartThread` (the entry module then calls `runPartWorker` instead of the CLI). */
export function isPartWorker(): boolean {
  return !isMainThread && typeof (workerData as Partial<PartWorkerData> | null)?.xaaPart === 'string';
}

/** Worker side: load the part, start it when told, stop it when told. */
export async function runPartWorker(): Promise<void> {
  const { xaaPart, options } = workerData as PartWorkerData;
  const port = parentPort as NonNullable<typeof parentPort>;
  const send = (m: FromWorker) => port.postMessage(m);
  let running: RunningPart | undefined;
  port.on('message', (m: ToWorker) => {
    if (m.type === 'start')
      startPart(xaaPart, options).then(
        (r) => {
          running = r;
          const tid = osThreadId();
          send(tid === undefined ? { type: 'ready' } : { type: 'ready', tid });
        },
        (e: unknown) => send({ type: 'failed', error: serialize(e) }),
      );
    else if (m.type === 'close')
      (running?.close() ?? Promise.resolve())
        .catch((e: unknown) => console.error(`[${xaaPart}] stopping:`, (e as Error).message))
        .finally(() => {
          send({ type: 'closed' });
          port.close();
        });
  });
  send({ type: 'loaded' });
}

/**
 * Main side. The constructor starts the thread (its modules load while other parts start); `start`
 * asks it to start the part and resolves when it listens; `close` stops it (then ends the thread).
 * `onCrash` hears, once, of a thread that ended without being asked to (an uncaught exception).
 */
export class PartThread {
  private readonly worker: Worker;
  private readonly messages: FromWorker[] = [];
  private waiters: Array<() => void> = [];
  private exited = false;
  private stopping = false;
  private exitError: Error | undefined;
  private closing: Promise<void> | undefined;
  /** The thread's operating-system id once its part is ready (Linux; see `osThreadId`). */
  tid: number | undefined;

  constructor(
    readonly part: PlaygroundPart,
    options: PartOptions,
    entry: URL,
    onCrash: (part: PlaygroundPart, error: Error) => void,
  ) {
    this.worker = new Worker(entry, {
      workerData: { xaaPart: part, options } satisfies PartWorkerData,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB[part], maxOldGenerationSizeMb: OLD_GENERATION_MB },
    });
    this.worker.on('message', (m: FromWorker) => {
      this.messages.push(m);
      this.wake();
    });
    // An uncaught exception arrives as 'error', then 'exit' (code 1): report it there, once.
    this.worker.on('error', (e) => {
      this.exitError = e;
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.exitError ??= new Error(`the ${part} thread exited (${code})`);
      if (!this.stopping && code !== 0) onCrash(part, this.exitError);
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async next<T extends FromWorker['type']>(...types: T[]): Promise<Extract<FromWorker, { type: T | 'failed' }>> {
    for (;;) {
      const i = this.messages.findIndex((m) => (types as string[]).includes(m.type) || m.type === 'failed');
      if (i >= 0) {
        const [m] = this.messages.splice(i, 1);
        return m as Extract<FromWorker, { type: T | 'failed' }>;
      }
      if (this.exited) throw this.exitError ?? new Error(`the ${this.part} thread ended`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  async start(): Promise<void> {
    const loaded = await this.next('loaded');
    if (loaded.type === 'failed') throw revive(loaded.error);
    this.worker.postMessage({ type: 'start' } satisfies ToWorker);
    const ready = await this.next('ready');
    if (ready.type === 'failed') throw revive(ready.error);
    this.tid = ready.tid;
  }

  close(graceMs = 10_000): Promise<void> {
    this.closing ??= this.stop(graceMs);
    return this.closing;
  }

  private async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.exited) return;
    this.worker.postMessage({ type: 'close' } satisfies ToWorker);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([this.next('closed').catch(() => undefined), timer]);
    await this.worker.terminate();
  }
}

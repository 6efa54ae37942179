/**
 * Measure a target and its baseline in alternating slices (A B A B …) instead of one after the
 * other, so a load change on a shared machine hits both sides alike and the ratio stays meaningful.
 * Each side's figures are combined over its slices: throughput is the mean, p50 the median of the
 * slice medians, p99 the worst slice p99. Before the first slice each side is warmed up at the
 * measured concurrency until its throughput is steady (`warmUp`): throughput means a server's steady
 * state, and a server with more code to compile takes longer to reach it than a small one.
 */
import { performance } from 'node:perf_hooks';
import { type Measurement, type MeasureOptions, measure } from './measure.ts';

function combine(name: string, parts: Measurement[]): Measurement {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const errorKinds: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v;
  return {
    name,
    calls: parts.reduce((s, p) => s + p.calls, 0),
    errors: parts.reduce((s, p) => s + p.errors, 0),
    errorKinds,
    throughput: parts.reduce((s, p) => s + p.throughput, 0) / parts.length,
    p50: sorted(parts.map((p) => p.p50))[Math.floor(parts.length / 2)] as number,
    p99: Math.max(...parts.map((p) => p.p99)),
  };
}

/** Warm-up windows of this length, until two in a row agree within `STEADY` (see `warmUp`). */
const WARMUP_WINDOW_MS = 1000;
const STEADY = 0.05;
/** Two cold windows can agree by chance: at least three. */
const MIN_WINDOWS = 3;

/**
 * Run `fn` at the measured concurrency in one-second windows (`windowMs`) until two windows in a row are within
 * 5 % of each other (V8's optimising tiers, the servers' caches and the connection pool have settled),
 * for at least three windows and at most `maxMs`. Nothing of it is measured. Returns the calls made.
 */
export async function warmUp(
  fn: () => Promise<unknown>,
  options: { concurrency: number; maxMs: number; maxCalls?: number; windowMs?: number },
): Promise<number> {
  const end = performance.now() + options.maxMs;
  let calls = 0;
  const throughputs: number[] = [];
  while (performance.now() < end && (options.maxCalls === undefined || calls < options.maxCalls)) {
    const window = await measure('warm-up', fn, {
      concurrency: options.concurrency,
      durationMs: Math.min(options.windowMs ?? WARMUP_WINDOW_MS, Math.max(10, end - performance.now())),
      warmupCalls: 0,
      ...(options.maxCalls === undefined ? {} : { maxCalls: options.maxCalls - calls }),
    });
    calls += window.calls;
    throughputs.push(window.throughput);
    if (isSteady(throughputs)) break;
  }
  return calls;
}

/** The warm-up's stopping rule over its windows' throughputs so far: at least three, the last two within 5 %. */
export function isSteady(throughputs: readonly number[]): boolean {
  const [previous, last] = throughputs.slice(-2);
  return throughputs.length >= MIN_WINDOWS && previous !== undefined && last !== undefined && Math.abs(last - previous) <= STEADY * previous;
}

export async function interleaved(
  sides: Array<{ name: string; fn: () => Promise<unknown>; maxCalls?: number }>,
  options: MeasureOptions & {
    rounds: number;
    /** Longest warm-up per side (`warmUp`); default the whole measured duration, 0 for none. */
    warmupMs?: number;
    /** Called once every side is warm, before the first measured slice (e.g. to start counting CPU). */
    afterWarmup?: () => void;
  },
): Promise<Measurement[]> {
  const parts = sides.map(() => [] as Measurement[]);
  const slice = Math.max(500, Math.floor(options.durationMs / options.rounds));
  // A side with a call budget (single-use tokens) spends at most a quarter of it warming up.
  const budgets = sides.map((side) => side.maxCalls);
  const warmupMs = options.warmupMs ?? options.durationMs;
  if (warmupMs > 0)
    for (const [i, side] of sides.entries()) {
      const used = await warmUp(side.fn, {
        concurrency: options.concurrency,
        maxMs: warmupMs,
        ...(side.maxCalls === undefined ? {} : { maxCalls: Math.floor(side.maxCalls / 4) }),
      });
      if (side.maxCalls !== undefined) budgets[i] = side.maxCalls - used;
    }
  options.afterWarmup?.();
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, side] of sides.entries()) {
      const warmupCalls = round === 0 ? (options.warmupCalls ?? 20) : 5;
      // A budget covers every call of the round, its few warm-up calls included.
      const budget = budgets[i];
      const maxCalls = budget === undefined ? options.maxCalls : Math.max(1, Math.floor(budget / options.rounds) - warmupCalls);
      parts[i]?.push(await measure(side.name, side.fn, { ...options, durationMs: slice, warmupCalls, ...(maxCalls ? { maxCalls } : {}) }));
    }
  }
  return sides.map((s, i) => combine(s.name, parts[i] as Measurement[]));
}

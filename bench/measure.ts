/**
 * Fixed-concurrency load measurement for `pnpm bench`: N workers call `fn` until the time or count
 * budget is spent. Speed is reported as ratios against a baseline measured in the same run, so the
 * figures mean something on any machine.
 */
import { performance } from 'node:perf_hooks';

export interface MeasureOptions {
  concurrency: number;
  durationMs: number;
  /** Hard cap on calls, whatever the duration. */
  maxCalls?: number;
  warmupCalls?: number;
}

export interface Measurement {
  name: string;
  calls: number;
  errors: number;
  errorKinds: Record<string, number>;
  throughput: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export async function measure(name: string, fn: () => Promise<unknown>, options: MeasureOptions): Promise<Measurement> {
  for (let i = 0; i < (options.warmupCalls ?? 20); i++) await fn().catch(() => {});
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  let calls = 0;
  const maxCalls = options.maxCalls ?? 1_000_000;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline && calls < maxCalls) {
      calls++;
      const t0 = performance.now();
      try {
        await fn();
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        const kind = (e as Error).message?.slice(0, 80) ?? 'error';
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, calls, errors, errorKinds, throughput: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export interface BenchContext {
  /** Short mode for CI smoke runs: fewer seconds per measurement. */
  quick: boolean;
  durationMs: number;
  concurrency: number;
  /** A free temporary data directory for this suite. */
  dataDir: string;
  /** `--profile`: where the servers a suite spawns write V8 CPU profiles (`node --cpu-prof`). */
  profileDir?: string;
}

export interface BenchResult {
  suite: string;
  measurements: Measurement[];
  /** Named ratios (e.g. "token-exchange / client_credentials"), with their target when the issue sets one. */
  ratios: Array<{ name: string; value: number; target?: number; higherIsBetter?: boolean }>;
  /** Other figures (ms, MB). */
  figures?: Array<{ name: string; value: number; unit: string; target?: number }>;
}

export type BenchSuite = (ctx: BenchContext) => Promise<BenchResult>;

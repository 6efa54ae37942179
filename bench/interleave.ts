/**
 * Measure a target and its baseline in alternating slices (A B A B …) instead of one after the
 * other, so a load change on a shared machine hits both sides alike and the ratio stays meaningful.
 * Each side's figures are combined over its slices: throughput is the mean, p50 the median of the
 * slice medians, p99 the worst slice p99.
 */
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

export async function interleaved(
  sides: Array<{ name: string; fn: () => Promise<unknown>; maxCalls?: number }>,
  options: MeasureOptions & { rounds: number },
): Promise<Measurement[]> {
  const parts = sides.map(() => [] as Measurement[]);
  const slice = Math.max(500, Math.floor(options.durationMs / options.rounds));
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, side] of sides.entries()) {
      const maxCalls = side.maxCalls === undefined ? options.maxCalls : Math.floor(side.maxCalls / options.rounds);
      parts[i]?.push(
        await measure(side.name, side.fn, {
          ...options,
          durationMs: slice,
          warmupCalls: round === 0 ? (options.warmupCalls ?? 20) : 5,
          ...(maxCalls ? { maxCalls } : {}),
        }),
      );
    }
  }
  return sides.map((s, i) => combine(s.name, parts[i] as Measurement[]));
}

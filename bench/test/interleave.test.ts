import { describe, expect, it } from 'vitest';
import { interleaved, isSteady, warmUp } from '../interleave.ts';

/** A call that takes `slowMs` for its first `coldCalls` calls and `fastMs` after: a server warming up. */
function warmingServer(coldCalls: number, slowMs: number, fastMs: number) {
  let calls = 0;
  const fn = () => new Promise<void>((resolve) => setTimeout(resolve, calls++ < coldCalls ? slowMs : fastMs));
  return { fn, calls: () => calls };
}

describe('bench warm-up', () => {
  it('is steady after at least three windows, once the last two agree within 5 %', () => {
    expect(isSteady([900, 1300])).toBe(false);
    expect(isSteady([900, 910, 1300])).toBe(false);
    expect(isSteady([900, 1300, 2100, 2290])).toBe(false);
    expect(isSteady([900, 1300, 2100, 2290, 2291])).toBe(true);
    expect(isSteady([2000, 2000, 2099])).toBe(true);
    expect(isSteady([2000, 2000, 1899])).toBe(false);
  });

  it('keeps going through the cold start', async () => {
    const server = warmingServer(120, 8, 1);
    await warmUp(server.fn, { concurrency: 4, maxMs: 3_000, windowMs: 100 });
    // The cold calls last about two and a half windows; it runs at least three, so it saw them end.
    expect(server.calls()).toBeGreaterThan(120);
  });

  it('never runs past its time limit, however unsteady the throughput', async () => {
    let calls = 0;
    const erratic = () => new Promise<void>((resolve) => setTimeout(resolve, calls++ % 40 < 20 ? 1 : 6));
    const started = performance.now();
    await warmUp(erratic, { concurrency: 2, maxMs: 600, windowMs: 100 });
    expect(performance.now() - started).toBeLessThan(1_200);
  });

  it('a side with a call budget spends at most a quarter of it warming up, and the rounds stay within the rest', async () => {
    let tokens = 400;
    const singleUse = () => (tokens-- > 0 ? new Promise<void>((resolve) => setTimeout(resolve, 1)) : Promise.reject(new Error('pool exhausted')));
    const plain = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
    let warmedAt: number | undefined;
    const [budgeted] = await interleaved(
      [
        { name: 'single-use', fn: singleUse, maxCalls: 400 },
        { name: 'plain', fn: plain },
      ],
      {
        concurrency: 4,
        durationMs: 1_000,
        rounds: 2,
        warmupCalls: 0,
        warmupMs: 2_000,
        afterWarmup: () => {
          warmedAt = tokens;
        },
      },
    );
    expect(warmedAt).toBeGreaterThanOrEqual(300);
    expect(budgeted?.errors).toBe(0);
    expect(tokens).toBeGreaterThanOrEqual(0);
  });
});

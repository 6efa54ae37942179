/**
 * The harnesses in their quick mode against one real playground (a child process on loopback):
 * what CI runs. The full mode is `pnpm harness:<name>`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessHarness, crashHarness, fuzzHarness, loadHarness } from '../src/harnesses.ts';
import { formatResult, type HarnessResult, passed } from '../src/report.ts';
import { type Stack, startStack } from '../src/stack.ts';

/** The root vitest config allows 30 s per test; a harness run on a busy machine may need more. */
const TIMEOUT = 180_000;

function expectPassed(result: HarnessResult) {
  const failed = result.checks.filter((c) => !c.ok);
  expect(failed, formatResult(result)).toEqual([]);
  expect(passed(result)).toBe(true);
}

describe('harnesses (quick mode)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it(
    'load: concurrent full XAA flows complete without errors',
    async () => {
      const r = await loadHarness({ mode: 'quick', stack, concurrency: 8, durationMs: 2_000 });
      expectPassed(r);
      expect(Number(r.figures.find((f) => f.name === 'flows completed')?.value)).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    'fuzz: malformed input gets no 5xx, no hang, no reflection, and the playground stays healthy',
    async () => {
      const r = await fuzzHarness({ mode: 'quick', stack, seed: 1 });
      expectPassed(r);
      expect(Number(r.figures.find((f) => f.name === 'requests')?.value)).toBeGreaterThan(500);
    },
    TIMEOUT,
  );

  it(
    'access: admin and event endpoints refuse every wrong credential; console CSRF and CORS; login throttling',
    async () => {
      expectPassed(await accessHarness({ mode: 'quick', stack }));
    },
    TIMEOUT,
  );
});

describe('crash harness (quick mode)', () => {
  it(
    'kill -9 mid-stream loses no acknowledged change, keeps every database intact and allows no replay',
    async () => {
      const r = await crashHarness({ mode: 'quick', seed: 1 });
      expectPassed(r);
      expect(Number(r.figures.find((f) => f.name === 'ID-JAGs redeemed (acknowledged)')?.value)).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});

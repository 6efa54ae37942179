/** runSteps: steps run in order over one state; a failure names its step and reaches onFail once, then propagates. */
import { describe, expect, it } from 'vitest';
import { need, runSteps, type Step } from '../../src/oidc-host.ts';

interface S {
  step: string;
  ran: string[];
  value?: number;
}

const record = (name: string, fn?: (s: S) => void): Step<S> => ({
  name,
  run: async (s) => {
    s.ran.push(name);
    fn?.(s);
  },
});

describe('runSteps', () => {
  it('runs every step in order over one state', async () => {
    const s: S = { step: '', ran: [] };
    await runSteps(s, [record('a', (x) => (x.value = 1)), record('b', (x) => (x.value = need(x.value, 'value') + 1))], () => {});
    expect(s.ran).toEqual(['a', 'b']);
    expect(s.value).toBe(2);
  });

  it('stops at the failing step, which the state names, and calls onFail once with the error', async () => {
    const s: S = { step: '', ran: [] };
    const failures: [string, unknown][] = [];
    const boom = new Error('refused');
    const run = runSteps(
      s,
      [
        record('a'),
        record('b', () => {
          throw boom;
        }),
        record('c'),
      ],
      (state, e) => {
        failures.push([state.step, e]);
      },
    );
    await expect(run).rejects.toBe(boom);
    expect(s.ran).toEqual(['a', 'b']);
    expect(failures).toEqual([['b', boom]]);
  });

  it('need(): a value an earlier step must have set is a programming error when missing', () => {
    expect(() => need(undefined, 'target')).toThrow('step order: target is not set yet');
    expect(need(0, 'zero')).toBe(0);
  });
});

/**
 * A grant handler as an ordered list of small named steps over one per-request state. The runner
 * records which step is running (so a refusal names it) and hands a failure to `onFail` once.
 */
export interface Step<S> {
  /** Stable name, shown in a refusal (`Refused at verify-subject-token`). */
  name: string;
  run(state: S): void | Promise<void>;
}

export async function runSteps<S extends { step: string }>(
  state: S,
  steps: readonly Step<S>[],
  onFail: (state: S, e: unknown) => void | Promise<void>,
): Promise<void> {
  try {
    for (const s of steps) {
      state.step = s.name;
      // A synchronous step is not awaited: no extra turn of the microtask queue per step.
      const pending = s.run(state);
      if (pending) await pending;
    }
  } catch (e) {
    await onFail(state, e);
    throw e;
  }
}

/** A value an earlier step must have set (a programming error otherwise). */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`step order: ${what} is not set yet`);
  return value;
}

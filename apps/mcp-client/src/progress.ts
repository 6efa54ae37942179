/** Progress of one action, one line per step with timing: the CLI prints it, the API returns it. */

export interface ProgressStep {
  /** Short stable name, e.g. `discover`, `id-jag`, `access-token`, `mcp`. */
  step: string;
  /** The server this step was for, if any. */
  server?: string;
  outcome: 'ok' | 'denied' | 'error' | 'info';
  detail: string;
  /** Duration of the step (ms). */
  ms: number;
}

export type ProgressSink = (step: ProgressStep) => void;

export const noProgress: ProgressSink = () => {};

/** Time `fn` and report it as one step; the reported outcome and detail come from its result. */
export async function timed<T>(
  sink: ProgressSink,
  step: string,
  server: string | undefined,
  fn: () => Promise<T>,
  describe: (result: T) => { outcome: ProgressStep['outcome']; detail: string },
): Promise<T> {
  const t0 = performance.now();
  const result = await fn();
  const d = describe(result);
  sink({ step, ...(server ? { server } : {}), ...d, ms: Math.round(performance.now() - t0) });
  return result;
}

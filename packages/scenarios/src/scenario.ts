/**
 * A scenario is a scripted story that drives the real, running playground over HTTP, one step at a
 * time, each with a narration line for the presenter. A step's result is data: what happened, the
 * facts worth showing in large type, and whether it matched the story (a denial the story expects is
 * a success). One trace per step, so the console can open the live flow behind it.
 */
import { newTrace } from '@xaa/protocol';
import type { PlaygroundClient } from './playground-client.ts';

export interface Fact {
  label: string;
  value: string | number;
  /** A moment to count down to (seconds since the epoch), e.g. when an access token dies. */
  countdownTo?: number;
  tone?: 'good' | 'bad' | 'neutral';
}

export interface StepResult {
  /** Did the playground behave as the story says it should? */
  ok: boolean;
  headline: string;
  facts?: Fact[];
  /** Extra structured data for the console (comparison tables and the like). */
  data?: Record<string, unknown>;
}

export interface StepContext {
  client: PlaygroundClient;
  /** Values steps hand to later steps. */
  state: Record<string, unknown>;
}

export interface Step {
  id: string;
  title: string;
  /** What the presenter says while this step runs. */
  narration: string;
  run(ctx: StepContext): Promise<StepResult>;
}

export interface Scenario {
  id: string;
  title: string;
  summary: string;
  steps: Step[];
  /** Puts back whatever the story changes (and what earlier runs may have left), so it can run again. */
  reset(client: PlaygroundClient): Promise<void>;
}

export interface StepRecord {
  index: number;
  id: string;
  title: string;
  narration: string;
  status: 'running' | 'passed' | 'failed';
  traceId: string;
  startedAt: string;
  durationMs?: number;
  result?: StepResult;
  error?: string;
}

export interface ScenarioRun {
  scenario: string;
  title: string;
  ok: boolean;
  steps: StepRecord[];
  durationMs: number;
}

export interface RunOptions {
  onStep?: (step: StepRecord) => void;
  /** Run only up to (and including) this step index; the console's presenter view steps one at a time. */
  signal?: AbortSignal;
  /** Skip the reset before the first step (when the caller already reset). */
  skipReset?: boolean;
}

export async function runScenario(scenario: Scenario, client: PlaygroundClient, options: RunOptions = {}): Promise<ScenarioRun> {
  const t0 = performance.now();
  if (!options.skipReset) await scenario.reset(client);
  const state: Record<string, unknown> = {};
  const records: StepRecord[] = [];
  let ok = true;
  for (const [index, step] of scenario.steps.entries()) {
    if (options.signal?.aborted) break;
    const trace = newTrace();
    const record: StepRecord = {
      index,
      id: step.id,
      title: step.title,
      narration: step.narration,
      status: 'running',
      traceId: trace.traceId,
      startedAt: new Date().toISOString(),
    };
    records.push(record);
    options.onStep?.({ ...record });
    const s0 = performance.now();
    client.trace = trace;
    try {
      const result = await step.run({ client, state });
      record.result = result;
      record.status = result.ok ? 'passed' : 'failed';
    } catch (e) {
      record.status = 'failed';
      record.error = (e as Error).message;
    } finally {
      client.trace = undefined;
    }
    record.durationMs = Math.round(performance.now() - s0);
    options.onStep?.({ ...record });
    if (record.status === 'failed') {
      ok = false;
      break;
    }
  }
  return { scenario: scenario.id, title: scenario.title, ok, steps: records, durationMs: Math.round(performance.now() - t0) };
}

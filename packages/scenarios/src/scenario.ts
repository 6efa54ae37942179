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
  /** Stop before the next step once aborted. */
  signal?: AbortSignal;
  /** Skip the reset before the first step (when the caller already reset). */
  skipReset?: boolean;
}

/**
 * A run that advances one step at a time: the console's presenter view calls `next()` when the
 * presenter clicks, `xaa scenario` calls it in a loop. After a failed step the run is over.
 */
export class ScenarioSession {
  readonly steps: StepRecord[] = [];
  private readonly state: Record<string, unknown> = {};
  private readonly t0 = performance.now();
  private failed = false;
  private started = false;

  constructor(
    readonly scenario: Scenario,
    private readonly client: PlaygroundClient,
    options: { skipReset?: boolean } = {},
  ) {
    this.started = options.skipReset ?? false;
  }

  get done(): boolean {
    return this.failed || this.steps.length >= this.scenario.steps.length;
  }

  get ok(): boolean {
    return this.done && !this.failed;
  }

  /** Reset what the story touches; called once, before the first step. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.scenario.reset(this.client);
  }

  async next(onStep?: (step: StepRecord) => void): Promise<StepRecord | undefined> {
    if (!this.started) await this.start();
    if (this.done) return undefined;
    const index = this.steps.length;
    const step = this.scenario.steps[index] as Step;
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
    this.steps.push(record);
    onStep?.({ ...record });
    const s0 = performance.now();
    this.client.trace = trace;
    try {
      const result = await step.run({ client: this.client, state: this.state });
      record.result = result;
      record.status = result.ok ? 'passed' : 'failed';
    } catch (e) {
      record.status = 'failed';
      record.error = (e as Error).message;
    } finally {
      this.client.trace = undefined;
    }
    record.durationMs = Math.round(performance.now() - s0);
    if (record.status === 'failed') this.failed = true;
    onStep?.({ ...record });
    return { ...record };
  }

  summary(): ScenarioRun {
    return {
      scenario: this.scenario.id,
      title: this.scenario.title,
      ok: this.ok,
      steps: this.steps.map((s) => ({ ...s })),
      durationMs: Math.round(performance.now() - this.t0),
    };
  }
}

export async function runScenario(scenario: Scenario, client: PlaygroundClient, options: RunOptions = {}): Promise<ScenarioRun> {
  const session = new ScenarioSession(scenario, client, { skipReset: options.skipReset ?? false });
  while (!session.done && !options.signal?.aborted) await session.next(options.onStep);
  return session.summary();
}

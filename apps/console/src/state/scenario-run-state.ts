/**
 * One story being told from the console: framework-free, owns the run id, the finished
 * steps and what is happening now. The Scenarios page and the presenter view subscribe with
 * `useScenarioRun()`; tests drive it directly with a fake backend.
 *
 * One request at a time: a second "next" while a step runs is ignored here (the backend would answer
 * 409). "Run to the end" is bounded by the story's step count.
 */
import type { RunView, StepRecord } from '../api/scenarios.ts';

export interface ScenarioBackend {
  start(id: string): Promise<RunView>;
  next(runId: string): Promise<StepRecord>;
  run(runId: string): Promise<RunView>;
}

export type RunPhase = 'idle' | 'preparing' | 'running' | 'ready' | 'done' | 'failed';

export interface ScenarioRunSnapshot {
  scenarioId: string;
  runId?: string;
  /** Finished (and the running) steps, in order. */
  steps: readonly StepRecord[];
  total: number;
  phase: RunPhase;
  /** A request that failed (backend unreachable, run expired …), as opposed to a failed step. */
  error?: string;
  /** True while "Run to the end" is looping. */
  auto: boolean;
}

export class ScenarioRunState extends EventTarget {
  private snap: ScenarioRunSnapshot;
  private stopRequested = false;
  /** The reset in flight, if any: a "next" pressed meanwhile runs step 1 once it is done. */
  private preparing: Promise<void> | undefined;

  constructor(
    readonly scenarioId: string,
    total: number,
    private readonly backend: ScenarioBackend,
  ) {
    super();
    this.snap = { scenarioId, steps: [], total, phase: 'idle', auto: false };
  }

  snapshot(): ScenarioRunSnapshot {
    return this.snap;
  }

  get busy(): boolean {
    return this.snap.phase === 'preparing' || this.snap.phase === 'running';
  }

  private set(patch: Partial<ScenarioRunSnapshot>) {
    this.snap = { ...this.snap, ...patch };
    if (patch.error === undefined && 'error' in patch) delete this.snap.error;
    this.dispatchEvent(new Event('change'));
  }

  private phaseAfter(steps: readonly StepRecord[], done: boolean): RunPhase {
    if (steps.some((s) => s.status === 'failed')) return 'failed';
    return done || steps.length >= this.snap.total ? 'done' : 'ready';
  }

  /** Continue a run started elsewhere (the page → the presenter view and back). */
  async resume(runId: string): Promise<boolean> {
    if (this.busy) return false;
    this.set({ phase: 'preparing', error: undefined });
    try {
      const run = await this.backend.run(runId);
      if (run.scenario !== this.scenarioId) throw new Error('That run belongs to another story.');
      this.set({ runId, steps: run.steps, total: run.total, phase: this.phaseAfter(run.steps, run.done) });
      return true;
    } catch {
      // Expired or unknown: start afresh on the next click.
      this.set({ phase: 'idle', runId: undefined, steps: [], error: undefined });
      return false;
    }
  }

  /** A fresh run: the story's reset runs at the backend, no step yet. */
  async restart(): Promise<void> {
    if (this.busy) return;
    this.stopRequested = true;
    await this.begin();
  }

  private begin(): Promise<void> {
    this.preparing = this.prepare().finally(() => {
      this.preparing = undefined;
    });
    return this.preparing;
  }

  private async prepare(): Promise<void> {
    this.set({ phase: 'preparing', steps: [], runId: undefined, error: undefined });
    try {
      const run = await this.backend.start(this.scenarioId);
      this.set({ runId: run.runId, total: run.total, steps: run.steps, phase: this.phaseAfter(run.steps, run.done) });
    } catch (e) {
      this.set({ phase: 'idle', error: (e as Error).message });
    }
  }

  /** Run the next step (starting a run first if there is none). Returns false when nothing ran. */
  async next(): Promise<boolean> {
    if (this.preparing && this.snap.phase === 'preparing') await this.preparing;
    if (this.busy) return false;
    if (this.snap.phase === 'done' || this.snap.phase === 'failed') return false;
    if (!this.snap.runId) {
      await this.begin();
      if (!this.snap.runId) return false;
    }
    const runId = this.snap.runId as string;
    const index = this.snap.steps.length;
    this.set({ phase: 'running', error: undefined });
    try {
      const step = await this.backend.next(runId);
      const steps = [...this.snap.steps.slice(0, index), step];
      this.set({ steps, phase: this.phaseAfter(steps, false) });
      return true;
    } catch (e) {
      this.set({ phase: this.phaseAfter(this.snap.steps, false), error: (e as Error).message });
      return false;
    }
  }

  /** Every remaining step, one after another, until one fails, a request fails or `stop()`. */
  async runToEnd(): Promise<void> {
    if (this.busy || this.snap.auto) return;
    this.stopRequested = false;
    this.set({ auto: true });
    try {
      for (let i = 0; i <= this.snap.total && !this.stopRequested; i++) {
        if (this.snap.phase === 'done' || this.snap.phase === 'failed') break;
        if (!(await this.next())) break;
      }
    } finally {
      this.set({ auto: false });
    }
  }

  stop(): void {
    this.stopRequested = true;
  }
}

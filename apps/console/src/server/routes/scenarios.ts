/**
 * The demo stories (`@xaa/scenarios`) run from the console, one step per click (docs/decisions.md §7):
 *
 * - `GET  /api/scenarios`                      the stories: id, title, summary, step titles and narrations
 * - `POST /api/scenarios/:id/runs`             a new run (the story's reset runs first) → 201 the run
 * - `POST /api/scenarios/runs/:runId/next`     runs the next step → its StepRecord (409 while one runs)
 * - `GET  /api/scenarios/runs/:runId`          the run so far (summary)
 *
 * A run drives the real playground over HTTP with the signed-in admin's own admin-API tokens (the
 * BFF's AdminTokens), so the audit log names the person, not the ops client. Runs live in memory,
 * belong to the admin session that created them, and are capped and expire when idle.
 */
import { randomBytes } from 'node:crypto';
import { type Manifest, PlaygroundClient, type Scenario, type ScenarioRun, ScenarioSession, type StepRecord } from '@xaa/scenarios';
import type { Topology } from '@xaa/topology';
import { playgroundManifest } from '@xaa/topology';
import type { Context, Middleware, Next } from 'koa';
import { type AdminTokens, SignedOut } from '../admin-tokens.ts';

export interface ScenarioRunsOptions {
  /** Most runs kept at once (all admins together). Recommendation: a handful per presenter. */
  maxRuns: number;
  /** A run nobody touched for this long is forgotten (ms). */
  idleMs: number;
  now?: () => number;
}

export const RUN_DEFAULTS: ScenarioRunsOptions = { maxRuns: 24, idleMs: 30 * 60_000 };

/** Who asks: the admin session (row key) and its cookie value, to fetch that admin's tokens. */
export interface Caller {
  sessionKey: string;
  sessionId: string;
}

interface Run {
  id: string;
  owner: string;
  scenario: Scenario;
  session: ScenarioSession;
  caller: Caller;
  busy: boolean;
  lastUsed: number;
}

/** What the console shows of a run: the summary plus how far it is. */
export type RunView = ScenarioRun & { runId: string; done: boolean; total: number; busy: boolean };

export type RunsAnswer<T> = { ok: true; value: T } | { ok: false; status: number; error: string; description: string };

const fail = (status: number, error: string, description: string) => ({ ok: false as const, status, error, description });

/** The in-memory runs: owner-scoped, one step at a time per run, capped, idle ones expire. */
export class ScenarioRuns {
  private readonly runs = new Map<string, Run>();
  private readonly now: () => number;

  constructor(
    private readonly scenarios: readonly Scenario[],
    private readonly clientFor: (caller: () => Caller) => PlaygroundClient,
    private readonly options: ScenarioRunsOptions = RUN_DEFAULTS,
  ) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.runs.size;
  }

  private sweep() {
    const cutoff = this.now() - this.options.idleMs;
    for (const [id, run] of this.runs) if (!run.busy && run.lastUsed < cutoff) this.runs.delete(id);
  }

  private view(run: Run): RunView {
    return { ...run.session.summary(), runId: run.id, done: run.session.done, total: run.scenario.steps.length, busy: run.busy };
  }

  private get(runId: string, owner: string): Run | undefined {
    this.sweep();
    const run = this.runs.get(runId);
    return run && run.owner === owner ? run : undefined;
  }

  async create(scenarioId: string, caller: Caller): Promise<RunsAnswer<RunView>> {
    const scenario = this.scenarios.find((s) => s.id === scenarioId);
    if (!scenario) return fail(404, 'not_found', `No scenario ${JSON.stringify(scenarioId)}.`);
    this.sweep();
    if (this.runs.size >= this.options.maxRuns) {
      // Make room: forget the least recently used idle run.
      const idle = [...this.runs.values()].filter((r) => !r.busy).sort((a, b) => a.lastUsed - b.lastUsed)[0];
      if (!idle) return fail(429, 'too_many_runs', `${this.options.maxRuns} scenario runs are busy; wait for one to finish.`);
      this.runs.delete(idle.id);
    }
    const id = randomBytes(16).toString('base64url');
    const holder: { caller: Caller } = { caller };
    const run: Run = {
      id,
      owner: caller.sessionKey,
      scenario,
      session: new ScenarioSession(
        scenario,
        this.clientFor(() => holder.caller),
      ),
      get caller() {
        return holder.caller;
      },
      set caller(c: Caller) {
        holder.caller = c;
      },
      busy: true,
      lastUsed: this.now(),
    };
    this.runs.set(id, run);
    try {
      // The story's reset: puts back what it (or an earlier run) changed, before step 1.
      await run.session.start();
    } catch (e) {
      this.runs.delete(id);
      throw e;
    } finally {
      run.busy = false;
      run.lastUsed = this.now();
    }
    return { ok: true, value: this.view(run) };
  }

  async next(runId: string, caller: Caller): Promise<RunsAnswer<StepRecord>> {
    const run = this.get(runId, caller.sessionKey);
    if (!run) return fail(404, 'not_found', 'No such scenario run (it may have expired); start the story again.');
    if (run.busy) return fail(409, 'step_running', 'A step of this run is still running; wait for it to finish.');
    if (run.session.done) return fail(409, 'run_finished', 'This run has ended; restart the story to run it again.');
    run.busy = true;
    run.caller = caller;
    try {
      const step = (await run.session.next()) as StepRecord;
      return { ok: true, value: step };
    } finally {
      run.busy = false;
      run.lastUsed = this.now();
    }
  }

  summary(runId: string, owner: string): RunsAnswer<RunView> {
    const run = this.get(runId, owner);
    if (!run) return fail(404, 'not_found', 'No such scenario run (it may have expired); start the story again.');
    run.lastUsed = this.now();
    return { ok: true, value: this.view(run) };
  }
}

/** The manifest-shaped view of the topology the scenarios' client reads (docs/decisions.md §3, `playground.json`). */
export function manifestOf(t: Topology): Manifest {
  return playgroundManifest(t) as unknown as Manifest;
}

export interface ScenarioRouteDeps {
  topology: Topology;
  tokens: AdminTokens;
  scenarios: readonly Scenario[];
  fetchFn: typeof fetch;
  log: (message: string) => void;
  options?: ScenarioRunsOptions;
}

const SCENARIO_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const RUN_ID = /^[A-Za-z0-9_-]{22}$/;

function answer<T>(ctx: Context, r: RunsAnswer<T>, status = 200) {
  ctx.set('Cache-Control', 'no-store');
  if (r.ok) {
    ctx.status = status;
    ctx.body = r.value;
    return;
  }
  ctx.status = r.status;
  ctx.body = { error: r.error, error_description: r.description };
}

function notAllowed(ctx: Context, allow: string) {
  ctx.status = 405;
  ctx.set('Allow', allow);
  ctx.body = { error: 'method_not_allowed', error_description: `Use ${allow} here.` };
}

export function scenarioRoutes(deps: ScenarioRouteDeps): Middleware {
  const manifest = manifestOf(deps.topology);
  const runs = new ScenarioRuns(
    deps.scenarios,
    (caller) =>
      new PlaygroundClient(manifest, {
        fetch: deps.fetchFn,
        adminTokens: (audience) => {
          const c = caller();
          return deps.tokens.get(c.sessionKey, c.sessionId, audience);
        },
      }),
    deps.options,
  );
  const list = {
    scenarios: deps.scenarios.map((s) => ({
      id: s.id,
      title: s.title,
      summary: s.summary,
      steps: s.steps.map((st) => ({ id: st.id, title: st.title, narration: st.narration })),
    })),
  };

  const guarded = async (ctx: Context, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (e) {
      ctx.set('Cache-Control', 'no-store');
      if (e instanceof SignedOut) {
        ctx.status = 401;
        ctx.body = { error: 'login_required', error_description: e.message };
        return;
      }
      // The story's reset talks to the playground; an app that is down is a 502, not a crash.
      deps.log(`scenario: ${(e as Error).message}`);
      ctx.status = 502;
      ctx.body = { error: 'upstream_unavailable', error_description: `The story could not be prepared: ${(e as Error).message}` };
    }
  };

  return async function scenarios(ctx: Context, next: Next) {
    if (ctx.path !== '/api/scenarios' && !ctx.path.startsWith('/api/scenarios/')) return next();
    const session = ctx.state.session;
    const sessionId = ctx.state.sessionId;
    if (!session || !sessionId) return next();
    const caller: Caller = { sessionKey: session.key, sessionId };
    const parts = ctx.path.slice('/api/scenarios'.length).split('/').filter(Boolean);

    if (parts.length === 0) {
      if (ctx.method !== 'GET') return notAllowed(ctx, 'GET');
      ctx.body = list;
      return;
    }
    if (parts[0] === 'runs') {
      const runId = parts[1] ?? '';
      if (!RUN_ID.test(runId) || parts.length > 3 || (parts.length === 3 && parts[2] !== 'next'))
        return answer(ctx, fail(404, 'not_found', `No console API at ${ctx.path}.`));
      if (parts.length === 2) {
        if (ctx.method !== 'GET') return notAllowed(ctx, 'GET');
        return answer(ctx, runs.summary(runId, caller.sessionKey));
      }
      if (ctx.method !== 'POST') return notAllowed(ctx, 'POST');
      return guarded(ctx, async () => answer(ctx, await runs.next(runId, caller)));
    }
    const scenarioId = parts[0] as string;
    if (!SCENARIO_ID.test(scenarioId) || parts.length !== 2 || parts[1] !== 'runs')
      return answer(ctx, fail(404, 'not_found', `No console API at ${ctx.path}.`));
    if (ctx.method !== 'POST') return notAllowed(ctx, 'POST');
    return guarded(ctx, async () => answer(ctx, await runs.create(scenarioId, caller), 201));
  };
}

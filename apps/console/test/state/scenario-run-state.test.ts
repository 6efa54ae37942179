/**
 * ScenarioRunState: the first step starts a run (the story's reset) then runs; one request at a
 * time; "run to the end" stops at a failed step and is bounded; restart drops the old run; a run id
 * from the URL resumes; request errors are kept apart from failed steps.
 */
import { describe, expect, it } from 'vitest';
import type { RunView, StepRecord } from '../../src/api/scenarios.ts';
import { type ScenarioBackend, ScenarioRunState } from '../../src/state/scenario-run-state.ts';

function fakeBackend(total = 3, fail?: number) {
  const calls: string[] = [];
  let runs = 0;
  const steps = new Map<string, StepRecord[]>();
  const view = (runId: string): RunView => {
    const s = steps.get(runId) ?? [];
    return {
      runId,
      scenario: 'story',
      title: 'Story',
      ok: s.length === total && s.every((x) => x.status === 'passed'),
      done: s.length === total || s.some((x) => x.status === 'failed'),
      total,
      busy: false,
      steps: s,
      durationMs: 1,
    };
  };
  const backend: ScenarioBackend = {
    async start(id) {
      calls.push(`start ${id}`);
      const runId = `run-${++runs}`;
      steps.set(runId, []);
      return view(runId);
    },
    async next(runId) {
      calls.push(`next ${runId}`);
      const s = steps.get(runId);
      if (!s) throw new Error('No such scenario run');
      const index = s.length;
      const rec: StepRecord = {
        index,
        id: `s${index}`,
        title: `Step ${index}`,
        narration: '',
        status: index === fail ? 'failed' : 'passed',
        traceId: 't'.repeat(32),
        startedAt: new Date(0).toISOString(),
        result: { ok: index !== fail, headline: `h${index}` },
      };
      s.push(rec);
      return rec;
    },
    async run(runId) {
      calls.push(`run ${runId}`);
      if (!steps.has(runId)) throw new Error('404');
      return view(runId);
    },
  };
  return { backend, calls, steps };
}

describe('ScenarioRunState', () => {
  it('starts a run on the first step, then runs one step per call', async () => {
    const f = fakeBackend();
    const s = new ScenarioRunState('story', 3, f.backend);
    expect(await s.next()).toBe(true);
    expect(f.calls).toEqual(['start story', 'next run-1']);
    expect(s.snapshot()).toMatchObject({ runId: 'run-1', phase: 'ready', steps: [{ index: 0 }] });
  });

  it('ignores a second next while one is in flight', async () => {
    const f = fakeBackend();
    const s = new ScenarioRunState('story', 3, f.backend);
    await s.restart();
    const a = s.next();
    expect(await s.next()).toBe(false);
    await a;
    expect(f.calls.filter((c) => c.startsWith('next'))).toHaveLength(1);
  });

  it('a next pressed while the story resets runs step 1 once the reset is done (once, however often pressed)', async () => {
    const f = fakeBackend();
    const s = new ScenarioRunState('story', 3, f.backend);
    const restart = s.restart();
    expect(s.snapshot().phase).toBe('preparing');
    const [a, b] = await Promise.all([s.next(), s.next()]);
    await restart;
    expect([a, b].filter(Boolean)).toHaveLength(1);
    expect(f.calls).toEqual(['start story', 'next run-1']);
    expect(s.snapshot().steps).toHaveLength(1);
  });

  it('runs to the end and stops there', async () => {
    const f = fakeBackend(3);
    const s = new ScenarioRunState('story', 3, f.backend);
    await s.runToEnd();
    expect(s.snapshot()).toMatchObject({ phase: 'done', auto: false });
    expect(s.snapshot().steps).toHaveLength(3);
    expect(await s.next()).toBe(false);
  });

  it('stops at a failed step', async () => {
    const f = fakeBackend(3, 1);
    const s = new ScenarioRunState('story', 3, f.backend);
    await s.runToEnd();
    expect(s.snapshot().phase).toBe('failed');
    expect(s.snapshot().steps.map((x) => x.status)).toEqual(['passed', 'failed']);
  });

  it('restart starts a new run with no steps', async () => {
    const f = fakeBackend();
    const s = new ScenarioRunState('story', 3, f.backend);
    await s.next();
    await s.restart();
    expect(s.snapshot()).toMatchObject({ runId: 'run-2', steps: [], phase: 'ready' });
  });

  it('resumes a run by id, and starts afresh when it is gone', async () => {
    const f = fakeBackend();
    const first = new ScenarioRunState('story', 3, f.backend);
    await first.next();
    const second = new ScenarioRunState('story', 3, f.backend);
    expect(await second.resume('run-1')).toBe(true);
    expect(second.snapshot()).toMatchObject({ runId: 'run-1', steps: [{ index: 0 }], phase: 'ready' });
    const third = new ScenarioRunState('story', 3, f.backend);
    expect(await third.resume('expired')).toBe(false);
    expect(third.snapshot()).toMatchObject({ phase: 'idle', steps: [] });
    expect(third.snapshot().runId).toBeUndefined();
  });

  it('keeps a failed request apart from a failed step', async () => {
    const f = fakeBackend();
    const s = new ScenarioRunState('story', 3, f.backend);
    await s.next();
    f.steps.delete('run-1');
    expect(await s.next()).toBe(false);
    expect(s.snapshot()).toMatchObject({ phase: 'ready', error: 'No such scenario run' });
    expect(s.snapshot().steps).toHaveLength(1);
  });
});

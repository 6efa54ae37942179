/**
 * Scenario runs in the console backend: one step at a time per run (a concurrent `next` is 409),
 * runs belong to the admin session that started them, the store is capped and idle runs expire —
 * with a story of our own whose steps we release by hand, and an injected clock.
 */
import { type Manifest, PlaygroundClient, type Scenario } from '@xaa/scenarios';
import { defaultTopology } from '@xaa/topology';
import { describe, expect, it } from 'vitest';
import { manifestOf, ScenarioRuns } from '../../../src/server/routes/scenarios.ts';

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { p, open };
}

function story(id = 'test-story', gates: Array<{ p: Promise<void> }> = []): Scenario & { resets: number } {
  const s = {
    id,
    title: 'A test story',
    summary: 'Two steps.',
    resets: 0,
    async reset() {
      s.resets++;
    },
    steps: [0, 1].map((i) => ({
      id: `s${i}`,
      title: `Step ${i}`,
      narration: `Say ${i}`,
      async run() {
        await gates[i]?.p;
        return { ok: true, headline: `did ${i}`, facts: [{ label: 'n', value: i }] };
      },
    })),
  };
  return s;
}

const client = () => new PlaygroundClient(manifestOf(defaultTopology()) as Manifest);
const carol = { sessionKey: 'k-carol', sessionId: 'id-carol' };
const other = { sessionKey: 'k-other', sessionId: 'id-other' };

describe('ScenarioRuns', () => {
  it('creates a run after the story reset and runs one step per call to the end', async () => {
    const s = story();
    const runs = new ScenarioRuns([s], client);
    const created = await runs.create('test-story', carol);
    if (!created.ok) throw new Error(created.description);
    expect(s.resets).toBe(1);
    expect(created.value).toMatchObject({ scenario: 'test-story', done: false, total: 2, steps: [] });
    const first = await runs.next(created.value.runId, carol);
    expect(first).toMatchObject({ ok: true, value: { index: 0, status: 'passed', result: { headline: 'did 0' } } });
    expect((await runs.next(created.value.runId, carol)).ok).toBe(true);
    expect(runs.summary(created.value.runId, carol.sessionKey)).toMatchObject({ ok: true, value: { done: true, ok: true } });
    expect(await runs.next(created.value.runId, carol)).toMatchObject({ ok: false, status: 409, error: 'run_finished' });
  });

  it('answers 409 to a second next while a step of the same run is running', async () => {
    const g = gate();
    const runs = new ScenarioRuns([story('test-story', [g])], client);
    const created = await runs.create('test-story', carol);
    if (!created.ok) throw new Error(created.description);
    const running = runs.next(created.value.runId, carol);
    expect(await runs.next(created.value.runId, carol)).toMatchObject({ ok: false, status: 409, error: 'step_running' });
    g.open();
    expect((await running).ok).toBe(true);
    expect((await runs.next(created.value.runId, carol)).ok).toBe(true);
  });

  it('an unknown scenario or run is 404; another admin cannot see or drive the run', async () => {
    const runs = new ScenarioRuns([story()], client);
    expect(await runs.create('nope', carol)).toMatchObject({ ok: false, status: 404, error: 'not_found' });
    const created = await runs.create('test-story', carol);
    if (!created.ok) throw new Error(created.description);
    expect(runs.summary(created.value.runId, other.sessionKey)).toMatchObject({ ok: false, status: 404 });
    expect(await runs.next(created.value.runId, other)).toMatchObject({ ok: false, status: 404 });
    expect(runs.summary('AAAAAAAAAAAAAAAAAAAAAA', carol.sessionKey)).toMatchObject({ ok: false, status: 404 });
  });

  it('is capped (the least recently used idle run goes) and forgets idle runs', async () => {
    let now = 1_000_000;
    const runs = new ScenarioRuns([story()], client, { maxRuns: 2, idleMs: 60_000, now: () => now });
    const a = await runs.create('test-story', carol);
    now += 10;
    const b = await runs.create('test-story', carol);
    now += 10;
    const c = await runs.create('test-story', carol);
    if (!a.ok || !b.ok || !c.ok) throw new Error('create failed');
    expect(runs.size).toBe(2);
    expect(runs.summary(a.value.runId, carol.sessionKey).ok).toBe(false);
    expect(runs.summary(c.value.runId, carol.sessionKey).ok).toBe(true);
    now += 60_001;
    expect(runs.summary(c.value.runId, carol.sessionKey)).toMatchObject({ ok: false, status: 404 });
    expect(runs.size).toBe(0);
  });

  it('refuses a new run when every kept run is busy', async () => {
    const g = gate();
    const runs = new ScenarioRuns([story('test-story', [g])], client, { maxRuns: 1, idleMs: 60_000 });
    const a = await runs.create('test-story', carol);
    if (!a.ok) throw new Error(a.description);
    const running = runs.next(a.value.runId, carol);
    expect(await runs.create('test-story', carol)).toMatchObject({ ok: false, status: 429, error: 'too_many_runs' });
    g.open();
    await running;
  });

  it('a step runs with the admin tokens of the caller of that step', async () => {
    const seen: string[] = [];
    const s = story();
    s.steps[0] = {
      id: 'tok',
      title: 'Token',
      narration: '',
      async run({ client }) {
        seen.push(await client.adminToken('http://localhost:4000/admin'));
        return { ok: true, headline: 'ok' };
      },
    };
    const runs = new ScenarioRuns(
      [s],
      (caller) =>
        new PlaygroundClient(manifestOf(defaultTopology()) as Manifest, {
          adminTokens: async (aud) => `${caller().sessionId}@${aud}`,
        }),
    );
    const created = await runs.create('test-story', carol);
    if (!created.ok) throw new Error(created.description);
    await runs.next(created.value.runId, { ...carol, sessionId: 'id-carol-2' });
    expect(seen).toEqual(['id-carol-2@http://localhost:4000/admin']);
  });
});

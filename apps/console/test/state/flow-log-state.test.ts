import { describe, expect, it } from 'vitest';
import { consoleTraffic, manyEvents, sampleTrace } from '../../src/components/LiveFlows/LiveFlows.fixtures.ts';
import { FlowLogState } from '../../src/state/flow-log-state.ts';

const tick = () => new Promise((r) => queueMicrotask(() => r(undefined)));

describe('FlowLogState', () => {
  it('appends, de-duplicates by id and notifies once per burst', async () => {
    const s = new FlowLogState();
    let changes = 0;
    s.addEventListener('change', () => changes++);
    const events = sampleTrace({ index: 0, start: 1_000_000 });
    s.append(events);
    s.append(events);
    s.append(events.slice(0, 2));
    await tick();
    expect(s.snapshot().total).toBe(events.length);
    expect(changes).toBe(1);
  });

  it('caps what it owns, dropping the oldest', () => {
    const s = new FlowLogState({ capacity: 100 });
    const events = manyEvents(250);
    s.append(events);
    const snap = s.snapshot();
    expect(snap.total).toBe(100);
    expect(snap.visible[0]?.id).toBe(events[150]?.id);
    // A dropped id may come back (it is no longer known).
    s.append([events[0] as (typeof events)[number]]);
    expect(s.snapshot().total).toBe(100);
  });

  it('filters by user, app, server, outcome and text; new events are filtered as they arrive', () => {
    const s = new FlowLogState();
    s.setFilter({ outcome: 'denied' });
    s.append(manyEvents(500));
    const denied = s.snapshot().visible;
    expect(denied.length).toBeGreaterThan(0);
    expect(denied.every((e) => e.outcome === 'denied')).toBe(true);
    s.setFilter({ user: 'bob', server: 'docs' });
    expect(s.snapshot().visible.every((e) => e.subject?.user === 'bob' && (e.subject?.server === 'docs' || e.party.endsWith(':docs')))).toBe(true);
    s.setFilter({ text: 'ERR_ID_JAG_AUD_MISMATCH' });
    expect(s.snapshot().visible.length).toBeGreaterThan(0);
    expect(s.snapshot().visible.every((e) => e.error?.internal === 'ERR_ID_JAG_AUD_MISMATCH')).toBe(true);
    expect(s.snapshot().facets.users).toEqual(['alice', 'bob', 'dave']);
  });

  it('holds events while paused and shows them on resume', () => {
    const s = new FlowLogState();
    s.append(sampleTrace({ index: 0, start: 1_000_000 }));
    s.setPaused(true);
    const before = s.snapshot().visible.length;
    s.append(sampleTrace({ index: 1, start: 2_000_000 }));
    expect(s.snapshot().visible.length).toBe(before);
    expect(s.snapshot().pending).toBeGreaterThan(0);
    s.setPaused(false);
    expect(s.snapshot().pending).toBe(0);
    expect(s.snapshot().visible.length).toBeGreaterThan(before);
  });

  it('keeps time order when events arrive out of order (several upstreams)', () => {
    const s = new FlowLogState();
    const a = sampleTrace({ index: 0, start: 2_000_000 });
    const b = sampleTrace({ index: 1, start: 1_000_000 });
    s.append(a);
    s.append(b);
    const times = s.snapshot().visible.map((e) => e.time);
    expect(times).toEqual([...times].sort());
  });

  it('groups a trace and summarises traces with their worst outcome', () => {
    const s = new FlowLogState();
    s.append(sampleTrace({ index: 3, start: 1_000_000, kind: 'denied' }));
    s.append(sampleTrace({ index: 4, start: 2_000_000 }));
    const traces = s.traces();
    expect(traces).toHaveLength(2);
    expect(traces.find((t) => t.outcome === 'denied')?.user).toBe('alice');
    const first = s.snapshot().visible[0];
    expect(s.trace(first?.traceId as string).length).toBe(5);
  });

  it('takes 10,000 events appended one by one in linear time (no quadratic filter/copy)', () => {
    const s = new FlowLogState();
    const events = manyEvents(10_000);
    s.setFilter({ outcome: 'ok' });
    for (const e of events) s.append([e]);
    const snap = s.snapshot();
    expect(snap.total).toBe(10_000);
    expect(snap.visible.length).toBe(events.filter((e) => e.outcome === 'ok').length);
  });

  it("hides the console's own sign-in, admin-token renewals and admin changes by default; one switch shows them", () => {
    const s = new FlowLogState({ consoleClients: ['xaa-console'] });
    const own = consoleTraffic(1_000_000);
    const story = sampleTrace({ index: 0, start: 2_000_000 });
    s.append(own);
    s.append(story);
    expect(s.snapshot().visible.map((e) => e.id)).toEqual(story.map((e) => e.id));
    expect(s.snapshot().consoleHidden).toBe(own.length);
    expect(s.snapshot().showConsole).toBe(false);
    // The pickers offer the story's names, not the console's own client and admin.
    expect(s.snapshot().facets.apps).toEqual(['acme-agent']);
    expect(s.snapshot().facets.users).toEqual(['alice']);
    s.setShowConsole(true);
    expect(s.snapshot().facets.apps).toEqual(['acme-agent', 'xaa-console']);
    expect(s.snapshot().visible).toHaveLength(own.length + story.length);
    expect(s.snapshot().consoleHidden).toBe(0);
    s.setShowConsole(false);
    expect(s.snapshot().visible).toHaveLength(story.length);
  });

  it('shows a whole trace once it holds more than console traffic (an admin change inside a scenario step)', () => {
    const s = new FlowLogState({ consoleClients: ['xaa-console'] });
    const change = consoleTraffic(1_000_000).at(-1) as ReturnType<typeof consoleTraffic>[number];
    s.append([change]);
    expect(s.snapshot().visible).toHaveLength(0);
    const [first] = sampleTrace({ index: 0, start: 2_000_000 });
    s.append([{ ...(first as typeof change), traceId: change.traceId }]);
    expect(s.snapshot().visible.map((e) => e.id)).toEqual([change.id, first?.id]);
    expect(s.snapshot().facets.apps).toEqual(['acme-agent']);
  });

  it('learns the console client id after events arrived', () => {
    const s = new FlowLogState();
    s.append(consoleTraffic(1_000_000, 'my-console'));
    // Admin changes are known as console traffic already; sign-in events only once the id is known.
    expect(s.snapshot().visible.length).toBe(9);
    s.setConsoleClients(['my-console']);
    expect(s.snapshot().visible).toHaveLength(0);
  });

  it('shows a console trace asked for by its id (an admin change\'s "View trace" in the audit log)', () => {
    const s = new FlowLogState({ consoleClients: ['xaa-console'] });
    const own = consoleTraffic(1_000_000);
    s.append(own);
    const change = own.at(-1) as (typeof own)[number];
    s.setFilter({ traceId: change.traceId });
    expect(s.snapshot().visible.map((e) => e.id)).toEqual([change.id]);
    expect(s.snapshot().consoleHidden).toBe(0);
    s.setFilter({});
    expect(s.snapshot().visible).toHaveLength(0);
  });
});

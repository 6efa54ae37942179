import { describe, expect, it } from 'vitest';
import { manyEvents } from '../../src/components/LiveFlows/LiveFlows.fixtures.ts';
import { FlowLogState } from '../../src/state/flow-log-state.ts';
import { parseRecording, RecordedFlowSource, RecordingError, toRecording } from '../../src/state/flow-source.ts';

describe('recorded FlowSource', () => {
  it('round-trips a recording and replays it at once', () => {
    const events = manyEvents(200);
    const rec = parseRecording(JSON.parse(JSON.stringify(toRecording(events, 'demo'))));
    expect(rec.title).toBe('demo');
    const state = new FlowLogState();
    const stop = new RecordedFlowSource(rec).connect(state);
    expect(state.snapshot().total).toBe(200);
    expect(state.snapshot().sourceState).toMatchObject({ kind: 'recorded', status: 'open' });
    stop();
  });

  it('accepts a bare array', () => {
    expect(parseRecording(manyEvents(3)).events).toHaveLength(3);
  });

  it('refuses malformed recordings with the index of the bad event', () => {
    expect(() => parseRecording({ nope: true })).toThrow(RecordingError);
    const events: unknown[] = manyEvents(3);
    events[1] = { ...(events[1] as object), step: 'made.up' };
    try {
      parseRecording(events);
      expect.unreachable();
    } catch (e) {
      expect((e as RecordingError).index).toBe(1);
      expect((e as Error).message).toMatch(/Event 1/);
    }
  });

  it('paces a replay by the recorded times', async () => {
    const events = manyEvents(30);
    const state = new FlowLogState();
    const stop = new RecordedFlowSource(toRecording(events), 20).connect(state);
    const first = state.snapshot().total;
    expect(first).toBeLessThan(30);
    await new Promise((r) => setTimeout(r, 600));
    expect(state.snapshot().total).toBe(30);
    stop();
  });
});

import { describe, expect, it } from 'vitest';
import { AgentActivityState } from '../../src/state/agent-activity-state.ts';

describe('AgentActivityState', () => {
  it('records an action as pending, then its outcome, and notifies', () => {
    const s = new AgentActivityState();
    let changes = 0;
    s.addEventListener('change', () => changes++);
    const id = s.start('connect', 'Connect to docs');
    expect(s.actions).toEqual([{ id, kind: 'connect', label: 'Connect to docs', outcome: 'pending' }]);
    s.finish(id, { outcome: 'denied', detail: 'access_denied', traceId: 't' });
    expect(s.actions[0]).toMatchObject({ outcome: 'denied', detail: 'access_denied', traceId: 't' });
    expect(changes).toBe(2);
  });

  it('keeps at most its capacity, newest last', () => {
    const s = new AgentActivityState(3);
    for (let i = 0; i < 5; i++) s.start('call', `call ${i}`);
    expect(s.actions.map((a) => a.label)).toEqual(['call 2', 'call 3', 'call 4']);
  });
});

/**
 * What the admin asked the sample agent to do, kept outside React so the list survives
 * leaving the Agent page for the live view and coming back. Capped; newest last.
 */
import { useSyncExternalStore } from 'react';
import type { AgentAction } from '../components/AgentPanel/AgentPanel.tsx';

export class AgentActivityState extends EventTarget {
  private list: AgentAction[] = [];
  private seq = 0;
  constructor(readonly capacity = 200) {
    super();
  }

  get actions(): readonly AgentAction[] {
    return this.list;
  }

  start(kind: AgentAction['kind'], label: string): string {
    const id = `a${++this.seq}`;
    this.list = [...this.list, { id, kind, label, outcome: 'pending' as const }].slice(-this.capacity);
    this.dispatchEvent(new Event('change'));
    return id;
  }

  finish(id: string, patch: Partial<AgentAction>): void {
    this.list = this.list.map((a) => (a.id === id ? { ...a, ...patch } : a));
    this.dispatchEvent(new Event('change'));
  }
}

export function useAgentActivity(state: AgentActivityState): readonly AgentAction[] {
  return useSyncExternalStore(
    (onChange) => {
      state.addEventListener('change', onChange);
      return () => state.removeEventListener('change', onChange);
    },
    () => state.actions,
    () => state.actions,
  );
}

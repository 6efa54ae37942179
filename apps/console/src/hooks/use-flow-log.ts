/** Subscribe-only hook over `FlowLogState`: no state of its own. */
import { useSyncExternalStore } from 'react';
import type { FlowLogSnapshot, FlowLogState } from '../state/flow-log-state.ts';

export function useFlowLog(state: FlowLogState): FlowLogSnapshot {
  return useSyncExternalStore(
    (onChange) => {
      state.addEventListener('change', onChange);
      return () => state.removeEventListener('change', onChange);
    },
    () => state.snapshot(),
    () => state.snapshot(),
  );
}

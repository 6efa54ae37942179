/** Subscribe-only hooks over `ScenarioRunState`, and a clock for live countdowns. */
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { type ScenarioInfo, scenarios } from '../api/scenarios.ts';
import { type ScenarioRunSnapshot, ScenarioRunState } from '../state/scenario-run-state.ts';

export function useScenarioRun(state: ScenarioRunState): ScenarioRunSnapshot {
  return useSyncExternalStore(
    (onChange) => {
      state.addEventListener('change', onChange);
      return () => state.removeEventListener('change', onChange);
    },
    () => state.snapshot(),
    () => state.snapshot(),
  );
}

/** Seconds since the epoch, ticking once a second while mounted. */
export function useNow(): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

/**
 * The run state of one story for a page: a store per story, resuming the run named in the URL
 * (`?run=`) and writing the current run id back there (so the page and the presenter view hand the
 * same run to each other, and a reload continues it).
 */
export function useStoryRun(story: ScenarioInfo | undefined, runParam: string | null, onRunId: (runId: string | undefined) => void) {
  const store = useMemo(() => (story ? new ScenarioRunState(story.id, story.steps.length, scenarios) : undefined), [story]);
  const resumeFrom = useRef(runParam);
  useEffect(() => {
    if (!store) return;
    if (resumeFrom.current) void store.resume(resumeFrom.current);
    resumeFrom.current = null;
    return () => store.stop();
  }, [store]);
  const snapshot = useSyncExternalStore(
    (onChange) => {
      store?.addEventListener('change', onChange);
      return () => store?.removeEventListener('change', onChange);
    },
    () => store?.snapshot(),
    () => store?.snapshot(),
  );
  const runId = snapshot?.runId;
  const report = useRef(onRunId);
  report.current = onRunId;
  useEffect(() => {
    if (runId) report.current(runId);
  }, [runId]);
  return { store, snapshot };
}

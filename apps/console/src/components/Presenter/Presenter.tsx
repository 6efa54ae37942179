import { useEffect, useRef } from 'react';
import { columnsOf, comparisonOf, type ScenarioInfo } from '../../api/scenarios.ts';
import type { ScenarioRunSnapshot } from '../../state/scenario-run-state.ts';
import { ComparisonTable, FactList } from '../ScenarioFacts/ScenarioFacts.tsx';

export interface PresenterProps {
  scenario: ScenarioInfo;
  run: ScenarioRunSnapshot;
  now: number;
  onNext: () => void;
  onRestart: () => void;
  onExit: () => void;
}

/** Keys of the presenter view: Space / → / PageDown (clickers) = next step, R = restart, Esc = back. */
export function presenterKey(e: Pick<KeyboardEvent, 'key' | 'altKey' | 'ctrlKey' | 'metaKey'>): 'next' | 'restart' | 'exit' | undefined {
  if (e.altKey || e.ctrlKey || e.metaKey) return undefined;
  if (e.key === ' ' || e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === 'Enter') return 'next';
  if (e.key === 'r' || e.key === 'R') return 'restart';
  if (e.key === 'Escape') return 'exit';
  return undefined;
}

/** The story in large type for a room: the current step, its narration, its result, progress dots. */
export function Presenter(p: PresenterProps) {
  const { scenario, run } = p;
  const handlers = useRef(p);
  handlers.current = p;
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    root.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      const action = presenterKey(e);
      if (!action) return;
      e.preventDefault();
      if (action === 'next') handlers.current.onNext();
      else if (action === 'restart') handlers.current.onRestart();
      else handlers.current.onExit();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const record = run.steps.at(-1);
  const index = record ? record.index : -1;
  const step = record ? scenario.steps[record.index] : undefined;
  const result = record?.status !== 'running' ? record?.result : undefined;
  const comparison = comparisonOf(result);
  const busy = run.phase === 'preparing' || run.phase === 'running';
  const upNext = scenario.steps[run.steps.length];

  return (
    <div className="presenter" ref={root} tabIndex={-1} data-phase={run.phase} data-testid="presenter">
      <header className="presenter-top">
        <span className="presenter-story">{scenario.title}</span>
        <ol className="presenter-dots" aria-label={`Step ${index + 1} of ${scenario.steps.length}`}>
          {scenario.steps.map((s, i) => {
            const r = run.steps[i];
            return <li key={s.id} className={`dot dot-${r?.status ?? 'pending'}${i === index ? ' current' : ''}`} title={s.title} />;
          })}
        </ol>
      </header>

      <main className="presenter-stage">
        {step && record ? (
          <>
            <p className="presenter-kicker">
              Step {index + 1} of {scenario.steps.length}
            </p>
            <h1 className="presenter-title">{step.title}</h1>
            <p className="presenter-narration">{step.narration}</p>
            {record.status === 'running' ? (
              <div className="presenter-result running" role="status">
                <span className="spinner" aria-hidden="true" /> running…
              </div>
            ) : (
              <div className={`presenter-result ${record.status}${comparison?.length ? ' with-table' : ''}`} data-testid="presenter-result">
                <p className="presenter-headline">
                  <span className="presenter-mark" aria-hidden="true">
                    {record.status === 'passed' ? '✓' : '✗'}
                  </span>
                  <span className="visually-hidden">{record.status}: </span>
                  {result?.headline ?? record.error}
                </p>
                {comparison?.length ? (
                  <ComparisonTable rows={comparison} size="large" columns={columnsOf(result)} />
                ) : result?.facts?.length ? (
                  <FactList facts={result.facts} now={p.now} size="large" />
                ) : null}
              </div>
            )}
          </>
        ) : (
          <>
            <p className="presenter-kicker">{scenario.steps.length} steps</p>
            <h1 className="presenter-title">{scenario.title}</h1>
            <p className="presenter-narration">{scenario.summary}</p>
            {upNext ? <p className="presenter-upnext">First: {upNext.title}</p> : null}
          </>
        )}
        {run.error ? (
          <p className="presenter-error" role="alert">
            {run.error}
          </p>
        ) : null}
      </main>

      <footer className="presenter-bottom">
        <span className="presenter-hint">
          {run.phase === 'preparing'
            ? 'Resetting the story…'
            : run.phase === 'idle'
              ? 'Press Space to begin'
              : run.phase === 'done'
                ? 'The end · R to tell it again · Esc to leave'
                : run.phase === 'failed'
                  ? 'Stopped at a failed step · R to restart · Esc to leave'
                  : upNext
                    ? `Next: ${upNext.title}`
                    : ''}
        </span>
        <span className="presenter-keys">
          <button type="button" onClick={p.onNext} disabled={busy || run.phase === 'done' || run.phase === 'failed'}>
            <kbd>Space</kbd> next
          </button>
          <button type="button" onClick={p.onRestart} disabled={busy}>
            <kbd>R</kbd> restart
          </button>
          <button type="button" onClick={p.onExit}>
            <kbd>Esc</kbd> back
          </button>
        </span>
      </footer>
    </div>
  );
}

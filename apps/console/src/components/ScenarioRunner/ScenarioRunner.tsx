import { shortTraceId } from '@xaa/protocol';
import { Link } from 'react-router';
import { columnsOf, comparisonOf, type ScenarioInfo, type StepRecord } from '../../api/scenarios.ts';
import type { ScenarioRunSnapshot } from '../../state/scenario-run-state.ts';
import { ComparisonTable, FactList } from '../ScenarioFacts/ScenarioFacts.tsx';

export interface ScenarioRunnerProps {
  scenario: ScenarioInfo;
  run: ScenarioRunSnapshot;
  now: number;
  /** Where the presenter view of this story (and run) is. */
  presentHref: string;
  onNext: () => void;
  onRunToEnd: () => void;
  onStop: () => void;
  onRestart: () => void;
  onOpenTrace: (traceId: string) => void;
}

type StepStatus = 'pending' | StepRecord['status'];

const STATUS_LABEL: Record<StepStatus, string> = { pending: 'not run', running: 'running…', passed: 'passed', failed: 'failed' };
const STATUS_BADGE: Record<StepStatus, string> = { pending: '', running: 'info', passed: 'ok', failed: 'error' };

function phaseText(run: ScenarioRunSnapshot): string {
  switch (run.phase) {
    case 'idle':
      return 'Not started: the first step resets what the story changes, then runs.';
    case 'preparing':
      return 'Resetting what the story changes…';
    case 'running':
      return `Running step ${run.steps.length} of ${run.total}…`;
    case 'ready':
      return `${run.steps.length} of ${run.total} steps done.`;
    case 'done':
      return `The story ran to its end: all ${run.total} steps behaved as told.`;
    case 'failed':
      return 'A step did not behave as the story says; the run stopped there.';
  }
}

/** One story: its steps, what each did, and the controls to tell it step by step. */
export function ScenarioRunner(p: ScenarioRunnerProps) {
  const { scenario, run } = p;
  const busy = run.phase === 'preparing' || run.phase === 'running';
  const over = run.phase === 'done' || run.phase === 'failed';
  return (
    <section className="panel scenario-runner" aria-labelledby="scenario-title" data-phase={run.phase}>
      <div className="scenario-runner-head">
        <div>
          <h2 id="scenario-title">{scenario.title}</h2>
          <p className="muted">{scenario.summary}</p>
        </div>
        <Link className="button" to={p.presentHref} title="Full-screen presenter view (Space: next step, R: restart, Esc: back)">
          ▷ Present
        </Link>
      </div>
      <div className="row scenario-controls">
        <button type="button" className="primary" onClick={p.onNext} disabled={busy || over}>
          Run next step
        </button>
        {run.auto ? (
          <button type="button" onClick={p.onStop}>
            Stop after this step
          </button>
        ) : (
          <button type="button" onClick={p.onRunToEnd} disabled={busy || over}>
            Run to the end
          </button>
        )}
        <button type="button" onClick={p.onRestart} disabled={busy}>
          Reset &amp; restart
        </button>
        <span className="spacer" />
        <span className={`muted small scenario-phase phase-${run.phase}`} role="status" data-testid="scenario-phase">
          {phaseText(run)}
        </span>
      </div>
      {run.error ? (
        <div className="callout error" role="alert">
          {run.error}
        </div>
      ) : null}
      <ol className="scenario-steps">
        {scenario.steps.map((step, i) => {
          const record = run.steps[i];
          const status: StepStatus = record?.status ?? 'pending';
          const result = record?.result;
          const comparison = comparisonOf(result);
          return (
            <li key={step.id} className={`scenario-step status-${status}`} data-testid={`step-${step.id}`} data-status={status}>
              <div className="scenario-step-head">
                <span className="step-index" aria-hidden="true">
                  {status === 'passed' ? '✓' : status === 'failed' ? '✗' : i + 1}
                </span>
                <h3>{step.title}</h3>
                <span className={`badge ${STATUS_BADGE[status]}`}>{STATUS_LABEL[status]}</span>
              </div>
              <p className="scenario-narration">{step.narration}</p>
              {record && status !== 'running' ? (
                <div className="scenario-result">
                  {result ? (
                    <p className="scenario-headline" data-testid="step-headline">
                      {result.headline}
                    </p>
                  ) : null}
                  {record.error ? <p className="field-error">{record.error}</p> : null}
                  {result?.facts?.length ? <FactList facts={result.facts} now={p.now} /> : null}
                  {comparison?.length ? <ComparisonTable rows={comparison} columns={columnsOf(result)} /> : null}
                  <div className="row small muted">
                    {record.durationMs !== undefined ? <span>{record.durationMs} ms</span> : null}
                    <button type="button" className="ghost small" onClick={() => p.onOpenTrace(record.traceId)}>
                      {`View trace …${shortTraceId(record.traceId)} in Live flows →`}
                    </button>
                  </div>
                </div>
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

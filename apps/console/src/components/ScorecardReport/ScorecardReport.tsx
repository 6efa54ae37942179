import { Fragment, useState } from 'react';
import type { CaseOutcome, ScorecardReport as Report } from '../../api/scenarios.ts';

export interface ScorecardReportProps {
  report: Report;
  onDownload: (format: 'junit' | 'json') => void;
}

const OUTCOME: Record<CaseOutcome, { label: string; badge: string }> = {
  pass: { label: '✓ pass', badge: 'ok' },
  fail: { label: '✗ FAIL', badge: 'error' },
  warn: { label: '! warn', badge: 'denied' },
  error: { label: '? error', badge: 'error' },
  skip: { label: '– skip', badge: '' },
};

/** The scorecard's report: score, summary, one row per case with why it matters and the spec clause. */
export function ScorecardReport({ report, onDownload }: ScorecardReportProps) {
  const [open, setOpen] = useState<ReadonlySet<string>>(
    () => new Set(report.cases.filter((c) => c.outcome === 'fail' || c.outcome === 'error').map((c) => c.id)),
  );
  const s = report.summary;
  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return (
    <section className="panel scorecard-report" aria-labelledby="scorecard-report-title" data-ok={report.ok}>
      <div className="scorecard-head">
        <div className={`scorecard-score ${report.ok ? 'ok' : 'bad'}`} data-testid="scorecard-score">
          <span className="scorecard-score-value">{s.score}%</span>
          <span className="scorecard-score-label">{report.ok ? 'PASSED' : 'FAILED'}</span>
        </div>
        <div className="scorecard-meta">
          <h2 id="scorecard-report-title">{report.title}</h2>
          <p data-testid="scorecard-summary">
            {s.passed} passed, {s.failed} failed, {s.warnings} warnings, {s.errors} errors, {s.skipped} skipped · {(report.durationMs / 1000).toFixed(1)} s
          </p>
          <dl className="kv scorecard-target">
            {Object.entries(report.target).map(([k, v]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd className="mono">{String(v)}</dd>
              </Fragment>
            ))}
          </dl>
        </div>
        <div className="page-actions">
          <button type="button" onClick={() => onDownload('junit')}>
            ⤓ JUnit XML
          </button>
          <button type="button" onClick={() => onDownload('json')}>
            ⤓ JSON
          </button>
        </div>
      </div>
      {report.notes.length ? (
        <ul className="muted small scorecard-notes">
          {report.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      ) : null}
      <div className="scorecard-table-wrap">
        <table className="data scorecard-table">
          <thead>
            <tr>
              <th scope="col">Result</th>
              <th scope="col">Case</th>
              <th scope="col">Mutated</th>
              <th scope="col">Expected</th>
              <th scope="col">Answered</th>
            </tr>
          </thead>
          <tbody>
            {report.cases.map((c) => {
              const o = OUTCOME[c.outcome];
              const expanded = open.has(c.id);
              return (
                <Fragment key={c.id}>
                  <tr className={`case case-${c.outcome}`} data-case={c.id} data-outcome={c.outcome}>
                    <td>
                      <span className={`badge ${o.badge}`}>{o.label}</span>
                    </td>
                    <td>
                      <button type="button" className="ghost case-toggle" aria-expanded={expanded} onClick={() => toggle(c.id)}>
                        <span aria-hidden="true">{expanded ? '▾' : '▸'}</span>
                        <span className="mono">{c.id}</span>
                      </button>
                      <div className="muted small">
                        {c.title}
                        {c.level === 'should' ? ' (SHOULD)' : ''}
                      </div>
                    </td>
                    <td className="small">{c.mutated}</td>
                    <td className="small">{c.expected}</td>
                    <td className="small mono answered">{c.answered}</td>
                  </tr>
                  {expanded ? (
                    <tr className="case-detail">
                      <td />
                      <td colSpan={4}>
                        {c.reason ? (
                          <p>
                            <strong>Outcome:</strong> {c.reason}
                          </p>
                        ) : null}
                        <p>
                          <strong>Why it matters:</strong> {c.why}
                        </p>
                        <p className="spec">
                          <strong>Spec:</strong> {c.specRef}
                        </p>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

import type { FlowEvent } from '@xaa/protocol';
import { JsonView } from '../JsonView/JsonView.tsx';
import { KeyBinding } from '../KeyBinding/KeyBinding.tsx';
import { TokenDetails } from '../TokenDetails/TokenDetails.tsx';

interface PolicyTraceStep {
  check: string;
  outcome: 'pass' | 'fail' | 'skip';
  detail: string;
}

function policyTrace(data: Record<string, unknown> | undefined): PolicyTraceStep[] | undefined {
  const t = data?.trace;
  if (!Array.isArray(t)) return undefined;
  return t.filter((x): x is PolicyTraceStep => typeof x === 'object' && x !== null && typeof (x as PolicyTraceStep).check === 'string');
}

/** The proof key's thumbprint the client recorded with the request (RFC 9449 §6.1). */
function dpopJktOf(event: FlowEvent): string | undefined {
  const d = event.data?.dpop as { jkt?: unknown } | undefined;
  return typeof d?.jkt === 'string' ? d.jkt : undefined;
}

const MARK = { pass: '✓', fail: '✗', skip: '–', warn: '!' } as const;

/** Everything one step recorded: the failed check or decision first, then HTTP and tokens. */
export function StepDetail({ event, onInspect }: { event: FlowEvent; onInspect?: ((compact: string) => void) | undefined }) {
  const trace = policyTrace(event.data);
  const { trace: _t, ...rest } = event.data ?? {};
  return (
    <section className="step-detail" aria-label={`Step ${event.step}`}>
      <div className="row">
        <h3 style={{ margin: 0 }}>
          <span className="mono">{event.step}</span> · {event.party}
        </h3>
        <span className={`badge ${event.outcome}`}>{event.outcome}</span>
        <span className="spacer" />
        <span className="muted small mono">{event.time}</span>
      </div>
      <p>{event.summary}</p>
      {event.error ? (
        <div className={`callout ${event.outcome === 'denied' ? 'denied' : 'error'}`} data-testid="step-error">
          <strong className="mono">{event.error.code}</strong>
          {event.error.internal ? <span className="mono small"> ({event.error.internal})</span> : null}: {event.error.description}
          {event.error.specRef ? <div className="spec">{event.error.specRef}</div> : null}
        </div>
      ) : null}
      {event.check ? (
        <div className={`callout ${event.outcome === 'ok' ? 'ok' : 'error'}`} data-testid="step-check">
          <strong>Check: {event.check.title}</strong> <span className="spec">{event.check.specRef}</span>
          {event.check.detail ? <div>{event.check.detail}</div> : null}
        </div>
      ) : null}
      {event.decision ? (
        <div className={`callout ${event.decision.effect === 'allow' ? 'ok' : 'denied'}`} data-testid="step-decision">
          <strong>Policy decision: {event.decision.effect}</strong> by rule <span className="mono">{event.decision.rule}</span>
          {event.decision.grantedScopes.length ? (
            <div>
              Granted:{' '}
              <span className="chips">
                {event.decision.grantedScopes.map((s) => (
                  <span key={s} className="chip">
                    {s}
                  </span>
                ))}
              </span>
            </div>
          ) : null}
          <ul style={{ margin: '6px 0 0', paddingLeft: 18 }}>
            {event.decision.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {trace?.length ? (
        <div>
          <h3>Policy decision trace</h3>
          <ol className="trace-steps" aria-label="Policy decision trace">
            {trace.map((t, i) => (
              <li key={`${t.check}-${i}`} data-outcome={t.outcome}>
                <span style={{ color: t.outcome === 'pass' ? 'var(--ok)' : t.outcome === 'fail' ? 'var(--err)' : 'var(--muted)', fontWeight: 700 }}>
                  {MARK[t.outcome] ?? '·'}
                </span>
                <div>
                  <span className="mono small">{t.check}</span>
                  <div>{t.detail}</div>
                </div>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      {event.http ? (
        <>
          <h3>
            HTTP <span className="mono">{event.http.method}</span> <span className="mono small">{event.http.url}</span>
            {event.http.status ? (
              <span className="badge" style={{ marginLeft: 8 }}>
                {event.http.status}
              </span>
            ) : null}
          </h3>
          <div className="grid-2">
            <div>
              <div className="muted small">Request</div>
              <JsonView value={event.http.request ?? {}} label="HTTP request" />
            </div>
            <div>
              <div className="muted small">Response</div>
              <JsonView value={event.http.response ?? {}} label="HTTP response" />
            </div>
          </div>
        </>
      ) : null}
      {(event.tokens ?? []).map((t) => (
        <details key={`${t.role}-${t.hash ?? ''}`} open={event.tokens?.length === 1}>
          <summary>
            <strong>Token: {t.role}</strong> {t.hash ? <span className="mono small muted">#{t.hash}</span> : null}
            {onInspect && t.compact ? (
              <button type="button" className="ghost small" onClick={() => onInspect(t.compact as string)}>
                Open in inspector →
              </button>
            ) : null}
          </summary>
          <KeyBinding header={t.header} claims={t.claims} proofJkt={t.role === 'dpop_proof' ? dpopJktOf(event) : undefined} />
          <TokenDetails header={t.header} claims={t.claims} compact />
        </details>
      ))}
      {Object.keys(rest).length ? (
        <details>
          <summary>Data</summary>
          <JsonView value={rest} />
        </details>
      ) : null}
    </section>
  );
}

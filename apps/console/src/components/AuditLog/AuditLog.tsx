import type { FlowEvent } from '@xaa/protocol';
import { EmptyState } from '../EmptyState/EmptyState.tsx';

export interface AuditFilter {
  q: string;
  step: string;
  outcome: string;
}

export interface AuditSource {
  id: string;
  label: string;
}

export interface AuditLogProps {
  /** Where the entries come from: the IdP's persisted audit, or a server's recent events. */
  sources: readonly AuditSource[];
  source: string;
  onSource: (id: string) => void;
  entries: readonly FlowEvent[];
  filter: AuditFilter;
  onFilter: (f: AuditFilter) => void;
  onExport: (format: 'csv' | 'json') => void;
  onOpenTrace?: (traceId: string) => void;
}

const STEPS = [
  { value: '', label: 'Everything' },
  { value: 'admin.change', label: 'Admin changes' },
  { value: 'exchange.decision', label: 'Token decisions (policy)' },
  { value: 'exchange.issued', label: 'ID-JAGs issued' },
  { value: 'revocation', label: 'Revocations' },
  { value: 'sso.login', label: 'Sign-ins' },
  { value: 'sso.token', label: 'ID tokens issued' },
];

function detailOf(e: FlowEvent): string {
  if (e.decision) return `${e.decision.effect} by ${e.decision.rule}${e.decision.grantedScopes.length ? ` · ${e.decision.grantedScopes.join(' ')}` : ''}`;
  if (e.error) return `${e.error.code}: ${e.error.description}`;
  const jti = e.tokens?.find((t) => typeof t.claims.jti === 'string')?.claims.jti;
  return jti ? `jti ${String(jti)}` : '';
}

/** Every admin change and every token decision; searchable; exportable as CSV and JSON. */
export function AuditLog({ sources, source, onSource, entries, filter, onFilter, onExport, onOpenTrace }: AuditLogProps) {
  const set = (patch: Partial<AuditFilter>) => onFilter({ ...filter, ...patch });
  return (
    <div className="panel">
      <form className="row" style={{ marginBottom: 12, alignItems: 'flex-end' }} onSubmit={(e) => e.preventDefault()} aria-label="Audit filters">
        <label className="field">
          Source
          <select value={source} onChange={(e) => onSource(e.target.value)}>
            {sources.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field" style={{ flex: '1 1 260px' }}>
          Search
          <input type="search" value={filter.q} onChange={(e) => set({ q: e.target.value })} placeholder="words in the summary: a user, an app, a server…" />
        </label>
        <label className="field">
          Kind
          <select value={filter.step} onChange={(e) => set({ step: e.target.value })}>
            {STEPS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Outcome
          <select value={filter.outcome} onChange={(e) => set({ outcome: e.target.value })}>
            <option value="">All</option>
            <option value="ok">ok</option>
            <option value="denied">denied</option>
            <option value="error">error</option>
          </select>
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => onExport('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => onExport('json')}>
          Export JSON
        </button>
      </form>
      <div className="muted small" style={{ marginBottom: 6 }} data-testid="audit-count">
        {entries.length} {entries.length === 1 ? 'entry' : 'entries'}, newest first
      </div>
      {entries.length === 0 ? (
        <EmptyState title="No audit entries">
          {filter.q || filter.step || filter.outcome ? 'Nothing matches the search.' : 'Admin changes and token decisions appear here.'}
        </EmptyState>
      ) : (
        <table className="data" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Step</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id} data-step={e.step}>
                <td className="mono small" style={{ whiteSpace: 'nowrap' }}>
                  {e.time.replace('T', ' ').slice(0, 19)}
                </td>
                <td>
                  <span className="badge">{e.step}</span>
                </td>
                <td className="small">
                  {e.subject?.user ?? (typeof e.data?.actor === 'string' ? e.data.actor : '—')}
                  {e.subject?.client ? <div className="muted">{e.subject.client}</div> : null}
                </td>
                <td>
                  <div>{e.summary}</div>
                  <div className="muted small mono">{detailOf(e)}</div>
                </td>
                <td style={{ whiteSpace: 'nowrap' }}>
                  <span className={`badge ${e.outcome}`}>{e.outcome}</span>
                  {onOpenTrace ? (
                    <button
                      type="button"
                      className="ghost small"
                      onClick={() => onOpenTrace(e.traceId)}
                      aria-label={`Open trace ${e.traceId}`}
                      title="Open this trace in Live flows"
                    >
                      ≋
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

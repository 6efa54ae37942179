import type { AuditEntry } from '../../api/types.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';

export interface AuditLogProps {
  entries: readonly AuditEntry[];
  query: string;
  kind: string;
  onQuery: (q: string) => void;
  onKind: (k: string) => void;
  onExport: (format: 'csv' | 'json') => void;
  total?: number | undefined;
}

const OUTCOME_CLASS: Record<string, string> = { ok: 'ok', allow: 'ok', success: 'ok', denied: 'denied', deny: 'denied', error: 'error', failed: 'error' };

/** Every admin change and every token decision; searchable; exportable as CSV and JSON. */
export function AuditLog({ entries, query, kind, onQuery, onKind, onExport, total }: AuditLogProps) {
  return (
    <div className="panel">
      <div className="row" style={{ marginBottom: 12 }}>
        <label className="field" style={{ flex: '1 1 260px' }}>
          Search
          <input
            type="search"
            value={query}
            onChange={(e) => onQuery(e.target.value)}
            placeholder="user, app, server, rule, jti…"
            aria-label="Search the audit log"
          />
        </label>
        <label className="field">
          Kind
          <select value={kind} onChange={(e) => onKind(e.target.value)} aria-label="Kind">
            <option value="">All</option>
            <option value="admin">Admin changes</option>
            <option value="token">Token decisions</option>
          </select>
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => onExport('csv')}>
          Export CSV
        </button>
        <button type="button" onClick={() => onExport('json')}>
          Export JSON
        </button>
      </div>
      <div className="muted small" style={{ marginBottom: 6 }} data-testid="audit-count">
        {entries.length}
        {total !== undefined && total !== entries.length ? ` of ${total}` : ''} entries
      </div>
      {entries.length === 0 ? (
        <EmptyState title="No audit entries">{query || kind ? 'Nothing matches the search.' : 'Admin changes and token decisions appear here.'}</EmptyState>
      ) : (
        <table className="data" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">Actor</th>
              <th scope="col">What</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={String(e.id)}>
                <td className="mono small" style={{ whiteSpace: 'nowrap' }}>
                  {e.time.replace('T', ' ').slice(0, 19)}
                </td>
                <td>
                  <span className="badge">{e.kind ?? '—'}</span>
                </td>
                <td className="small">{e.actor ?? '—'}</td>
                <td>
                  <div className="mono small">{e.action}</div>
                  <div>{e.summary}</div>
                </td>
                <td>{e.outcome ? <span className={`badge ${OUTCOME_CLASS[e.outcome] ?? ''}`}>{e.outcome}</span> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

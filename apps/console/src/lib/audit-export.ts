/**
 * Audit export for event sources that have no export endpoint of their own (the MCP servers' recent
 * events): CSV (RFC 4180) and JSON, token-free — only decoded claims and hashes, never `compact`.
 */
import type { FlowEvent } from '@xaa/protocol';

export const AUDIT_COLUMNS = ['time', 'trace_id', 'party', 'step', 'outcome', 'user', 'client', 'server', 'rule', 'jti', 'error', 'summary'] as const;

function cell(v: unknown): string {
  const s = v === undefined || v === null ? '' : String(v);
  // RFC 4180 quoting; a leading = + - @ is prefixed so spreadsheets do not run it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const jtiOf = (e: FlowEvent) =>
  (e.data?.jti as string | undefined) ?? (e.tokens?.find((t) => typeof t.claims.jti === 'string')?.claims.jti as string | undefined);

export function auditCsv(events: readonly FlowEvent[]): string {
  const rows = events.map((e) =>
    [
      e.time,
      e.traceId,
      e.party,
      e.step,
      e.outcome,
      e.subject?.user,
      e.subject?.client,
      e.subject?.server,
      e.decision?.rule,
      jtiOf(e),
      e.error ? `${e.error.code}: ${e.error.description}` : '',
      e.summary,
    ]
      .map(cell)
      .join(','),
  );
  return `${[AUDIT_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

/** Events without any usable token (compact forms removed). */
export function tokenFree(events: readonly FlowEvent[]): FlowEvent[] {
  return events.map((e) => (e.tokens ? { ...e, tokens: e.tokens.map(({ compact: _c, ...t }) => t) } : e));
}

export function matchesAudit(e: FlowEvent, f: { q?: string; step?: string; outcome?: string }): boolean {
  if (f.step && e.step !== f.step) return false;
  if (f.outcome && e.outcome !== f.outcome) return false;
  if (f.q && !e.summary.toLowerCase().includes(f.q.toLowerCase())) return false;
  return true;
}

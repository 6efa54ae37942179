/**
 * The persisted audit trail: every flow event the IdP emits (decisions, issuances, sign-ins, admin
 * changes, revocations), token-free — FlowLog strips `compact` before persisting, so rows keep decoded
 * claims, `jti` and hashes, never a usable token (docs/decisions.md §4). The searchable fields are
 * columns; `record` holds the rest of the event. Rows are written on a connection of
 * their own, in WAL mode with `synchronous = NORMAL` like every database here (durable across a process
 * crash; see node-kit's `openDatabase`).
 */
import { type Db, eventIdPrefix } from '@xaa/node-kit';
import type { FlowEvent } from '@xaa/protocol';
import Database from 'better-sqlite3';

export interface AuditQuery {
  step?: string;
  outcome?: string;
  user?: string;
  client?: string;
  server?: string;
  traceId?: string;
  rule?: string;
  jti?: string;
  /** ISO time bounds. */
  from?: string;
  to?: string;
  /** Free text in the summary. */
  q?: string;
  limit?: number;
  /** Return events older than this id (paging backwards). */
  before?: string;
}

/**
 * The stored record: the event without the fields that have columns of their own (`eventOf` puts them
 * back): a fifth fewer bytes per row on the token-exchange path, where each exchange writes three rows.
 */
function recordOf(e: FlowEvent): string {
  const { id: _id, time: _time, traceId: _traceId, step: _step, outcome: _outcome, summary: _summary, ...rest } = e;
  return JSON.stringify(rest);
}

type AuditRow = { id: string; time: string; trace_id: string; step: FlowEvent['step']; outcome: FlowEvent['outcome']; summary: string; record: string };

/** The event of a row; rows written before records were slimmed carry the same fields in the record too. */
function eventOf(row: AuditRow): FlowEvent {
  const rest = JSON.parse(row.record) as Partial<FlowEvent>;
  return {
    traceId: row.trace_id,
    party: rest.party as FlowEvent['party'],
    step: row.step,
    outcome: row.outcome,
    summary: row.summary,
    ...rest,
    id: row.id,
    time: row.time,
  } as FlowEvent;
}

export class AuditLog {
  private queue: FlowEvent[] = [];
  private scheduled = false;
  private waiting: Array<() => void> = [];
  private readonly insert;
  private readonly db: Db;

  /** `main` must be migrated already; the audit opens its own connection to the same file. */
  constructor(main: Db) {
    const db = main.name === ':memory:' ? main : new Database(main.name);
    if (db !== main) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
    }
    this.db = db;
    this.insert = db.prepare(
      'INSERT OR IGNORE INTO audit (id, time, trace_id, step, outcome, summary, user, client, server, rule, jti, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  /**
   * Queued and written in one transaction per tick (group commit: concurrent token exchanges share a
   * commit). Whoever hands out a token or an answer awaits `whenWritten()` first, so the answer never
   * leaves ahead of its audit row; admin changes and revocations are written before `append` returns.
   * With `synchronous = NORMAL` in WAL mode a commit costs no fsync and survives a process crash.
   */
  append(event: FlowEvent): void {
    this.queue.push(event);
    if (event.step === 'admin.change' || event.step === 'revocation') {
      this.flush();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Resolves once every event appended so far is committed (or its write failed and was logged). */
  whenWritten(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  flush(): void {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    try {
      this.write();
    } catch (e) {
      // Visible, but a full disk must not turn a protocol answer into a 500 (FlowLog does the same).
      console.error('[idp] audit write failed:', (e as Error).message);
    } finally {
      for (const resolve of waiting) resolve();
    }
  }

  private write(): void {
    if (this.queue.length === 0 || !this.db.open) return;
    const batch = this.queue;
    this.queue = [];
    this.db.transaction(() => {
      for (const e of batch) {
        const jti = (e.data?.jti as string | undefined) ?? (e.tokens?.find((t) => typeof t.claims.jti === 'string')?.claims.jti as string | undefined) ?? null;
        this.insert.run(
          e.id,
          e.time,
          e.traceId,
          e.step,
          e.outcome,
          e.summary,
          e.subject?.user ?? null,
          e.subject?.client ?? null,
          e.subject?.server ?? null,
          e.decision?.rule ?? null,
          jti,
          recordOf(e),
        );
      }
    })();
  }

  /** Keep the newest `max` rows (the audit is a sandbox trail, not an archive); returns how many went. */
  prune(max: number): number {
    this.flush();
    return this.db.prepare('DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id DESC LIMIT -1 OFFSET ?)').run(max).changes;
  }

  /**
   * ID-JAGs issued to a user that have not expired yet: revocation stops new ones at once, but these
   * stay redeemable at their AS until `expires_at` (the console's countdown).
   */
  outstandingIdJags(username: string, nowSeconds: number): { count: number; expires_at: number | null } {
    this.flush();
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS count, MAX(json_extract(record, '$.data.exp')) AS until FROM audit
         WHERE step = 'exchange.issued' AND user = ? AND json_extract(record, '$.data.exp') > ?`,
      )
      .get(username, nowSeconds) as { count: number; until: number | null };
    return { count: row.count, expires_at: row.until };
  }

  close(): void {
    this.flush();
    if (this.db.open) this.db.close();
  }

  search(query: AuditQuery): FlowEvent[] {
    this.flush();
    const where: string[] = [];
    const values: unknown[] = [];
    const eq = (col: string, v: string | undefined) => {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        values.push(v);
      }
    };
    eq('step', query.step);
    eq('outcome', query.outcome);
    eq('user', query.user);
    eq('client', query.client);
    eq('server', query.server);
    eq('trace_id', query.traceId);
    eq('rule', query.rule);
    eq('jti', query.jti);
    // Time bounds compare instants: a bound is rewritten as the stored form (UTC, milliseconds,
    // `toISOString`), so `…T11:00:00+01:00` and `…T10:00:00Z` select the same rows and a bound
    // without milliseconds includes its whole first second. They also bound the id (FlowLog ids
    // begin with their event's time, node-kit `eventIdPrefix`), so the id index answers them; a
    // second of slack either side, the time comparison decides.
    const from = instant(query.from);
    if (from !== undefined) {
      where.push('time >= ?', 'id >= ?');
      values.push(new Date(from).toISOString(), eventIdPrefix(from - 1000));
    }
    const to = instant(query.to);
    if (to !== undefined) {
      where.push('time <= ?', 'id < ?');
      values.push(new Date(to).toISOString(), eventIdPrefix(to + 1000));
    }
    if (query.before) {
      where.push('id < ?');
      values.push(query.before);
    }
    if (query.q) {
      where.push("summary LIKE ? ESCAPE '\\'");
      values.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const limit = Math.max(1, Math.min(query.limit ?? 200, 5000));
    const sql = `SELECT id, time, trace_id, step, outcome, summary, record FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...values) as AuditRow[]).map(eventOf);
  }
}

/**
 * A time bound as epoch milliseconds (the admin API accepts RFC 3339 date-times with any offset);
 * undefined when absent. A bound that is not a date-time is refused: an unbounded search would
 * silently answer a different question.
 */
function instant(bound: string | undefined): number | undefined {
  if (bound === undefined) return undefined;
  const ms = Date.parse(bound);
  if (Number.isNaN(ms)) throw new RangeError(`Not a date-time: ${bound}`);
  return ms;
}

const CSV_COLUMNS = [
  'id',
  'time',
  'traceId',
  'party',
  'step',
  'outcome',
  'user',
  'client',
  'server',
  'rule',
  'effect',
  'grantedScopes',
  'error',
  'jti',
  'summary',
] as const;

function csvCell(v: unknown): string {
  let s = v === undefined || v === null ? '' : String(v);
  // Spreadsheet formula injection: neutralise cells that start with a formula character.
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function auditCsv(events: FlowEvent[]): string {
  const rows = events.map((e) =>
    [
      e.id,
      e.time,
      e.traceId,
      e.party,
      e.step,
      e.outcome,
      e.subject?.user,
      e.subject?.client,
      e.subject?.server,
      e.decision?.rule,
      e.decision?.effect,
      e.decision?.grantedScopes.join(' '),
      e.error?.code,
      e.data?.jti ?? e.tokens?.find((t) => t.claims.jti)?.claims.jti,
      e.summary,
    ]
      .map(csvCell)
      .join(','),
  );
  return `${CSV_COLUMNS.join(',')}\n${rows.join('\n')}${rows.length ? '\n' : ''}`;
}

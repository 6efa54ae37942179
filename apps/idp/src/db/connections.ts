/** The connections table: which client may reach which server, for whom, with what scopes and lifetime. */
import { randomUUID } from 'node:crypto';
import type { Db } from '@xaa/node-kit';
import type { Audience } from '@xaa/policy';
import { bool, type ConnectionRecord, json, type Row } from './records.ts';

export type NewConnection = Omit<ConnectionRecord, 'id' | 'created_at' | 'updated_at' | 'max_auth_age' | 'require_dpop'> & {
  id?: string;
  max_auth_age?: number | null;
  require_dpop?: boolean;
};

export type ConnectionPatch = Partial<Pick<ConnectionRecord, 'scopes' | 'audience' | 'ttl' | 'enabled' | 'max_auth_age' | 'require_dpop'>>;

function connectionFromRow(r: Row): ConnectionRecord {
  return {
    id: String(r.id),
    client_id: String(r.client_id),
    server: String(r.server),
    scopes: json<string[]>(r.scopes),
    audience: json<Audience>(r.audience),
    ttl: Number(r.ttl),
    enabled: bool(r.enabled),
    max_auth_age: r.max_auth_age === null || r.max_auth_age === undefined ? null : Number(r.max_auth_age),
    require_dpop: bool(r.require_dpop),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}

export function selectConnections(db: Db, filter: { client_id?: string; server?: string }): ConnectionRecord[] {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.client_id) {
    where.push('client_id = ?');
    values.push(filter.client_id);
  }
  if (filter.server) {
    where.push('server = ?');
    values.push(filter.server);
  }
  const sql = `SELECT * FROM connections ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id`;
  return (db.prepare(sql).all(...values) as Row[]).map((r) => connectionFromRow(r));
}

export function selectConnection(db: Db, id: string): ConnectionRecord | undefined {
  const row = db.prepare('SELECT * FROM connections WHERE id = ?').get(id) as Row | undefined;
  return row ? connectionFromRow(row) : undefined;
}

/** Inserts the connection and returns its id (a fresh one unless given). */
export function insertConnection(db: Db, c: NewConnection, now: number): string {
  const id = c.id ?? `conn_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  db.prepare(
    'INSERT INTO connections (id, client_id, server, scopes, audience, ttl, enabled, max_auth_age, require_dpop, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    id,
    c.client_id,
    c.server,
    JSON.stringify(c.scopes),
    JSON.stringify(c.audience),
    c.ttl,
    c.enabled ? 1 : 0,
    c.max_auth_age ?? null,
    c.require_dpop ? 1 : 0,
    now,
    now,
  );
  return id;
}

/** Writes every mutable column of `next` (the current record with the patch applied). */
export function updateConnectionRow(db: Db, id: string, next: ConnectionRecord, now: number): void {
  db.prepare('UPDATE connections SET scopes = ?, audience = ?, ttl = ?, enabled = ?, max_auth_age = ?, require_dpop = ?, updated_at = ? WHERE id = ?').run(
    JSON.stringify(next.scopes),
    JSON.stringify(next.audience),
    next.ttl,
    next.enabled ? 1 : 0,
    next.max_auth_age,
    next.require_dpop ? 1 : 0,
    now,
    id,
  );
}

export function deleteConnectionRow(db: Db, id: string): boolean {
  return db.prepare('DELETE FROM connections WHERE id = ?').run(id).changes > 0;
}

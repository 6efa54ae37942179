/** The servers table: each MCP server's (audience = AS issuer, resource) pair and scopes (EMA §7.6.1). */
import type { Db } from '@xaa/node-kit';
import { bool, json, type Row, type ServerRecord } from './records.ts';

function serverFromRow(r: Row): ServerRecord {
  return {
    name: String(r.name),
    title: String(r.title),
    issuer: String(r.issuer),
    resource: String(r.resource),
    scopes: json<string[]>(r.scopes),
    xaa: bool(r.xaa),
    pairwise_subject: bool(r.pairwise_subject),
    admin_url: r.admin_url === null ? null : String(r.admin_url),
  };
}

export function selectServers(db: Db): ServerRecord[] {
  return (db.prepare('SELECT * FROM servers ORDER BY name').all() as Row[]).map((r) => serverFromRow(r));
}

export function selectServer(db: Db, name: string): ServerRecord | undefined {
  const row = db.prepare('SELECT * FROM servers WHERE name = ?').get(name) as Row | undefined;
  return row ? serverFromRow(row) : undefined;
}

export function upsertServerRow(db: Db, s: ServerRecord, now: number): void {
  db.prepare(
    `INSERT INTO servers (name, title, issuer, resource, scopes, xaa, pairwise_subject, admin_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET title = excluded.title, issuer = excluded.issuer, resource = excluded.resource, scopes = excluded.scopes,
           xaa = excluded.xaa, pairwise_subject = excluded.pairwise_subject, admin_url = excluded.admin_url, updated_at = excluded.updated_at`,
  ).run(s.name, s.title, s.issuer, s.resource, JSON.stringify(s.scopes), s.xaa ? 1 : 0, s.pairwise_subject ? 1 : 0, s.admin_url, now, now);
}

export function deleteServerRow(db: Db, name: string): boolean {
  return db.prepare('DELETE FROM servers WHERE name = ?').run(name).changes > 0;
}

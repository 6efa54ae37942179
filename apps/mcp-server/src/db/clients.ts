/**
 * Registered clients of one AS: seeded `<app>-at-<server>` registrations, admin-created ones and
 * RFC 7591 dynamic registrations, all as oidc-provider client metadata. The tool results name the
 * client by its `client_name` (attribution: "alice via Acme Agent").
 */
import type { Db } from '@xaa/node-kit';

export type ClientSource = 'seed' | 'admin' | 'dcr';

export interface ClientRecord {
  client_id: string;
  metadata: Record<string, unknown>;
  source: ClientSource;
  created_at: number;
}

type Row = { client_id: string; metadata: string; source: ClientSource; created_at: number };

export class ClientStore {
  private readonly findStmt;
  private readonly parsed = new Map<string, { text: string; record: ClientRecord }>();

  constructor(
    private readonly db: Db,
    private readonly server: string,
    private readonly nowSeconds: () => number,
  ) {
    this.findStmt = db.prepare('SELECT client_id, metadata, source, created_at FROM clients WHERE server = ? AND client_id = ?');
  }

  get(clientId: string): ClientRecord | undefined {
    const row = this.findStmt.get(this.server, clientId) as Row | undefined;
    if (!row) return undefined;
    // Parsing is the costly part of a lookup; reuse the parse while the stored text is unchanged.
    const hit = this.parsed.get(clientId);
    if (hit && hit.text === row.metadata) return hit.record;
    const record = { ...row, metadata: JSON.parse(row.metadata) as Record<string, unknown> };
    if (this.parsed.size > 1000) this.parsed.clear();
    this.parsed.set(clientId, { text: row.metadata, record });
    return record;
  }

  list(): ClientRecord[] {
    return (
      this.db.prepare('SELECT client_id, metadata, source, created_at FROM clients WHERE server = ? ORDER BY created_at, client_id').all(this.server) as Row[]
    ).map((row) => ({ ...row, metadata: JSON.parse(row.metadata) as Record<string, unknown> }));
  }

  /** Insert or replace (DCR upserts through oidc-provider's adapter; the admin API inserts). */
  put(clientId: string, metadata: Record<string, unknown>, source: ClientSource): void {
    this.db
      .prepare(
        `INSERT INTO clients (server, client_id, metadata, source, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(server, client_id) DO UPDATE SET metadata = excluded.metadata`,
      )
      .run(this.server, clientId, JSON.stringify(metadata), source, this.nowSeconds());
  }

  remove(clientId: string): boolean {
    return this.db.prepare('DELETE FROM clients WHERE server = ? AND client_id = ?').run(this.server, clientId).changes === 1;
  }
}

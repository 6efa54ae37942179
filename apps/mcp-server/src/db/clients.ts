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

/** Entries the in-memory view keeps before it starts over (a bound, not a tuning knob). */
const VIEW_LIMIT = 1000;

/**
 * Every token request looks its client up (oidc-provider's `Client` adapter, the client's display
 * name on MCP calls), so the store keeps an in-memory view of the ids it has read, the ones not
 * registered included. This connection is the only writer of this server's rows and every write goes
 * through `put` or `remove`, which drop the id from the view: an admin change or a deregistration
 * applies at once. Only rows read outside a transaction are kept: a transaction may still roll back.
 */
export class ClientStore {
  private readonly findStmt;
  /** client id → its record, or null when it is not registered here. */
  private readonly view = new Map<string, ClientRecord | null>();

  constructor(
    private readonly db: Db,
    private readonly server: string,
    private readonly nowSeconds: () => number,
  ) {
    this.findStmt = db.prepare('SELECT client_id, metadata, source, created_at FROM clients WHERE server = ? AND client_id = ?');
  }

  get(clientId: string): ClientRecord | undefined {
    const hit = this.view.get(clientId);
    if (hit !== undefined) return hit ?? undefined;
    const row = this.findStmt.get(this.server, clientId) as Row | undefined;
    const record = row ? { ...row, metadata: JSON.parse(row.metadata) as Record<string, unknown> } : null;
    if (!this.db.inTransaction) {
      if (this.view.size >= VIEW_LIMIT) this.view.clear();
      this.view.set(clientId, record);
    }
    return record ?? undefined;
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
    this.view.delete(clientId);
  }

  remove(clientId: string): boolean {
    try {
      return this.db.prepare('DELETE FROM clients WHERE server = ? AND client_id = ?').run(this.server, clientId).changes === 1;
    } finally {
      this.view.delete(clientId);
    }
  }
}

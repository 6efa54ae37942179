/**
 * oidc-provider's storage Adapter on SQLite: one table keyed by (model, id), with the grantId, uid
 * and userCode lookups the provider needs, expiry, and `consume` as one atomic UPDATE (a code or a
 * rotated refresh token can be consumed once, even under concurrent requests).
 *
 * `Client` is not stored here: client metadata is built from the directory's apps (see clients.ts).
 */
import type { Db } from '@xaa/node-kit';
import type { Adapter, AdapterPayload } from 'oidc-provider';

type Row = { payload: string; expires_at: number | null; consumed_at: number | null };

export class SqliteAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly db: Db,
    private readonly nowMs: () => number = Date.now,
  ) {}

  private nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? this.nowSeconds() + expiresIn : null;
    const accountId = typeof payload.accountId === 'string' ? payload.accountId : null;
    this.db
      .prepare(
        `INSERT INTO oidc (model, id, payload, grant_id, uid, user_code, account_id, expires_at, consumed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT(model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
           user_code = excluded.user_code, account_id = excluded.account_id, expires_at = excluded.expires_at`,
      )
      .run(this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, accountId, expiresAt);
  }

  private read(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.nowSeconds()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = row.consumed_at;
    return payload;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.read(this.db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND id = ?').get(this.model, id) as Row | undefined);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.read(this.db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND uid = ?').get(this.model, uid) as Row | undefined);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.read(
      this.db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE model = ? AND user_code = ?').get(this.model, userCode) as Row | undefined,
    );
  }

  async consume(id: string): Promise<void> {
    this.db.prepare('UPDATE oidc SET consumed_at = ? WHERE model = ? AND id = ? AND consumed_at IS NULL').run(this.nowSeconds(), this.model, id);
  }

  async destroy(id: string): Promise<void> {
    this.db.prepare('DELETE FROM oidc WHERE model = ? AND id = ?').run(this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.db.prepare('DELETE FROM oidc WHERE model = ? AND grant_id = ?').run(this.model, grantId);
  }
}

/** Delete expired rows (called on start and periodically). */
export function pruneExpired(db: Db, nowSeconds: number): number {
  return db.prepare('DELETE FROM oidc WHERE expires_at IS NOT NULL AND expires_at <= ?').run(nowSeconds).changes;
}

/**
 * oidc-provider's storage Adapter on resource.db, one row per (server, model, id), with the grantId,
 * uid and userCode lookups the provider needs. `consume` is one atomic UPDATE: a code or a rotated
 * refresh token is consumed exactly once even under concurrent requests. A second consumption is a
 * reuse (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2): the whole grant family (grant, codes, refresh and
 * access tokens) is revoked and the request is refused with `invalid_grant`.
 */
import type { Db } from '@xaa/node-kit';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';

type Row = { payload: string; expires_at: number | null; consumed_at: number | null };

export interface AdapterHooks {
  /** Called when a consumed code or refresh token is presented again (the family is already revoked). */
  onReuse?(model: string, grantId: string | undefined): void;
}

/** Delete every row of one grant family (and the Grant itself). */
export function revokeGrantFamily(db: Db, server: string, grantId: string): number {
  return db.prepare("DELETE FROM oidc WHERE server = ? AND (grant_id = ? OR (model = 'Grant' AND id = ?))").run(server, grantId, grantId).changes;
}

export class SqliteAdapter implements Adapter {
  constructor(
    private readonly model: string,
    private readonly db: Db,
    private readonly server: string,
    private readonly nowSeconds: () => number,
    private readonly hooks: AdapterHooks = {},
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? this.nowSeconds() + expiresIn : null;
    this.db
      .prepare(
        `INSERT INTO oidc (server, model, id, payload, grant_id, uid, user_code, expires_at, consumed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT(server, model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id, uid = excluded.uid,
           user_code = excluded.user_code, expires_at = excluded.expires_at`,
      )
      .run(this.server, this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresAt);
  }

  private read(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.nowSeconds()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = row.consumed_at;
    return payload;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.read(
      this.db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE server = ? AND model = ? AND id = ?').get(this.server, this.model, id) as
        | Row
        | undefined,
    );
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.read(
      this.db.prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE server = ? AND model = ? AND uid = ?').get(this.server, this.model, uid) as
        | Row
        | undefined,
    );
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.read(
      this.db
        .prepare('SELECT payload, expires_at, consumed_at FROM oidc WHERE server = ? AND model = ? AND user_code = ?')
        .get(this.server, this.model, userCode) as Row | undefined,
    );
  }

  async consume(id: string): Promise<void> {
    const { changes } = this.db
      .prepare('UPDATE oidc SET consumed_at = ? WHERE server = ? AND model = ? AND id = ? AND consumed_at IS NULL')
      .run(this.nowSeconds(), this.server, this.model, id);
    if (changes === 1) return;
    // Lost the race (or a replay that slipped past the provider's own check): revoke the family.
    const row = this.db.prepare('SELECT grant_id FROM oidc WHERE server = ? AND model = ? AND id = ?').get(this.server, this.model, id) as
      | { grant_id: string | null }
      | undefined;
    const grantId = row?.grant_id ?? undefined;
    if (grantId) revokeGrantFamily(this.db, this.server, grantId);
    this.hooks.onReuse?.(this.model, grantId);
    const e = new errors.InvalidGrant();
    e.error_description = this.model === 'RefreshToken' ? 'refresh token already used' : 'grant already used';
    throw e;
  }

  async destroy(id: string): Promise<void> {
    this.db.prepare('DELETE FROM oidc WHERE server = ? AND model = ? AND id = ?').run(this.server, this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.db.prepare('DELETE FROM oidc WHERE server = ? AND model = ? AND grant_id = ?').run(this.server, this.model, grantId);
  }
}

export function pruneExpired(db: Db, nowSeconds: number): number {
  return db.prepare('DELETE FROM oidc WHERE expires_at IS NOT NULL AND expires_at <= ?').run(nowSeconds).changes;
}

/**
 * oidc-provider's storage Adapter on SQLite, shared by the IdP and every sample AS: one `oidc` table
 * keyed by (model, id) — plus a `server` column when several authorization servers share one
 * database — with the grantId, uid and userCode lookups the provider needs, expiry, and `consume`
 * as one atomic UPDATE (a code or a rotated refresh token is consumed once, even under concurrent
 * requests).
 *
 * With `onReuse`, a second consumption is a reuse (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2): the whole
 * grant family (grant, codes, refresh and access tokens) is revoked and the request is refused with
 * `invalid_grant`. `Client` is not stored here: each host builds client metadata from its own records.
 */
import type { Adapter, AdapterPayload, Provider } from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { Db } from '../db.ts';

type Row = { payload: string; expires_at: number | null; consumed_at: number | null };

export interface SqliteAdapterOptions {
  db: Db;
  nowSeconds: () => number;
  /** The `server` column's value when the table holds several authorization servers. */
  server?: string;
  /** Store `accountId` in an `account_id` column (the IdP looks grants up by user). */
  accountColumn?: boolean;
  /** Called when a consumed code or refresh token is presented again (the family is already revoked). */
  onReuse?: (model: string, grantId: string | undefined) => void;
}

/** Delete every row of one grant family (and the Grant itself) of one server. */
export function revokeGrantFamily(db: Db, server: string, grantId: string): number {
  return db.prepare("DELETE FROM oidc WHERE server = ? AND (grant_id = ? OR (model = 'Grant' AND id = ?))").run(server, grantId, grantId).changes;
}

/** Delete expired rows (called on start and periodically). */
export function pruneExpired(db: Db, nowSeconds: number): number {
  return db.prepare('DELETE FROM oidc WHERE expires_at IS NOT NULL AND expires_at <= ?').run(nowSeconds).changes;
}

export class SqliteAdapter implements Adapter {
  /** `server = ? AND ` when scoped to one server, else empty; `key` are its bind values. */
  private readonly scope: string;
  private readonly key: unknown[];

  constructor(
    private readonly model: string,
    private readonly options: SqliteAdapterOptions,
  ) {
    this.scope = options.server === undefined ? '' : 'server = ? AND ';
    this.key = options.server === undefined ? [model] : [options.server, model];
  }

  private get db(): Db {
    return this.options.db;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const expiresAt = expiresIn ? this.options.nowSeconds() + expiresIn : null;
    const columns = ['model', 'id', 'payload', 'grant_id', 'uid', 'user_code', 'expires_at'];
    const values: unknown[] = [this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresAt];
    if (this.options.accountColumn) {
      columns.push('account_id');
      values.push(typeof payload.accountId === 'string' ? payload.accountId : null);
    }
    if (this.options.server !== undefined) {
      columns.unshift('server');
      values.unshift(this.options.server);
    }
    const conflict = this.options.server === undefined ? 'model, id' : 'server, model, id';
    const updates = columns.filter((c) => !['server', 'model', 'id'].includes(c)).map((c) => `${c} = excluded.${c}`);
    this.db
      .prepare(
        `INSERT INTO oidc (${columns.join(', ')}, consumed_at) VALUES (${columns.map(() => '?').join(', ')}, NULL)
         ON CONFLICT(${conflict}) DO UPDATE SET ${updates.join(', ')}`,
      )
      .run(...values);
  }

  private read(row: Row | undefined): AdapterPayload | undefined {
    if (!row) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.options.nowSeconds()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    if (row.consumed_at !== null) payload.consumed = row.consumed_at;
    return payload;
  }

  private findBy(column: 'id' | 'uid' | 'user_code', value: string): AdapterPayload | undefined {
    const sql = `SELECT payload, expires_at, consumed_at FROM oidc WHERE ${this.scope}model = ? AND ${column} = ?`;
    return this.read(this.db.prepare(sql).get(...this.key, value) as Row | undefined);
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('id', id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid', uid);
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    const { changes } = this.db
      .prepare(`UPDATE oidc SET consumed_at = ? WHERE ${this.scope}model = ? AND id = ? AND consumed_at IS NULL`)
      .run(this.options.nowSeconds(), ...this.key, id);
    const { onReuse, server } = this.options;
    if (changes === 1 || !onReuse) return;
    // Lost the race (or a replay that slipped past the provider's own check): revoke the family.
    const row = this.db.prepare(`SELECT grant_id FROM oidc WHERE ${this.scope}model = ? AND id = ?`).get(...this.key, id) as
      | { grant_id: string | null }
      | undefined;
    const grantId = row?.grant_id ?? undefined;
    if (grantId && server !== undefined) revokeGrantFamily(this.db, server, grantId);
    else if (grantId) this.db.prepare("DELETE FROM oidc WHERE grant_id = ? OR (model = 'Grant' AND id = ?)").run(grantId, grantId);
    onReuse(this.model, grantId);
    const e = new errors.InvalidGrant();
    e.error_description = this.model === 'RefreshToken' ? 'refresh token already used' : 'grant already used';
    throw e;
  }

  async destroy(id: string): Promise<void> {
    this.db.prepare(`DELETE FROM oidc WHERE ${this.scope}model = ? AND id = ?`).run(...this.key, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.db.prepare(`DELETE FROM oidc WHERE ${this.scope}model = ? AND grant_id = ?`).run(...this.key, grantId);
  }
}

/**
 * Base of a `Client` adapter built from a host's own client records: oidc-provider looks clients up
 * by id only, and never consumes or revokes them, so those calls do nothing here.
 */
export abstract class ClientRecordsAdapter implements Adapter {
  abstract find(id: string): Promise<AdapterPayload | undefined>;
  abstract upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;

  async destroy(_id: string): Promise<void> {}
  async findByUid(_uid: string): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(_userCode: string): Promise<undefined> {
    return undefined;
  }
  async consume(_id: string): Promise<void> {}
  async revokeByGrantId(_grantId: string): Promise<void> {}
}

/**
 * oidc-provider's `Client.find` hashes the adapter's payload (SHA-256 of its JSON) on every lookup to
 * find the `Client` it built from equal metadata. A host whose client adapter hands back the same
 * payload object while the client is unchanged (its records are cached until a write replaces them)
 * gets that `Client` again without the hashing; any change is a new payload object and takes
 * oidc-provider's own path. Client ids that are URLs (Client ID Metadata Documents) always do.
 */
export function reuseClientsByPayload(provider: Provider): void {
  const Client = provider.Client as typeof provider.Client & { adapter: Adapter };
  const find = Client.find.bind(Client);
  const built = new WeakMap<object, InstanceType<typeof provider.Client>>();
  Client.find = async (id: string) => {
    if (typeof id !== 'string' || id.length === 0 || id.includes('://')) return find(id);
    const payload = await Client.adapter.find(id);
    const hit = payload ? built.get(payload) : undefined;
    if (hit) return hit;
    const client = await find(id);
    if (payload && client) built.set(payload, client);
    return client;
  };
}

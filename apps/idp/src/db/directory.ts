/**
 * The IdP directory on SQLite: users, groups, client apps (with their per-AS client ids, the
 * draft-04 §5 mapping), MCP servers (the EMA §7.6.1 (audience, resource) pairs) and connections.
 * Rows go in and out as plain records with wire-style snake_case names.
 */
import { randomUUID } from 'node:crypto';
import { type Db, deepFreeze, writeGeneration } from '@xaa/node-kit';
import type { Audience, Connection, Directory } from '@xaa/policy';

/** Another user already has this email (compared case-insensitively): emails are unique at the IdP. */
export class EmailTakenError extends Error {
  readonly code = 'ERR_EMAIL_TAKEN';
  constructor(readonly email: string) {
    super(`Another user already has the email ${email}.`);
  }
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
/** `sign-in`: a sample server's AS signing its users in through this IdP (an OpenID relying party, no token exchange). */
export type AppKind = 'app' | 'console' | 'ops' | 'sign-in';

export interface UserRecord {
  id: string;
  username: string;
  email: string;
  name: string;
  groups: string[];
  admin: boolean;
  disabled: boolean;
  /** Epoch seconds: tokens issued before this are refused. */
  not_before: number;
  created_at: number;
  updated_at: number;
}

export interface GroupRecord {
  name: string;
  title: string;
}

export interface ServerRecord {
  name: string;
  title: string;
  issuer: string;
  resource: string;
  scopes: string[];
  xaa: boolean;
  pairwise_subject: boolean;
  admin_url: string | null;
}

export interface AppRecord {
  client_id: string;
  title: string;
  kind: AppKind;
  client_secret: string | null;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  jwks: { keys: Record<string, unknown>[] } | null;
  token_exchange: boolean;
  disabled: boolean;
  /** server name → the app's client_id at that server's AS. */
  registrations: Record<string, string>;
  created_at: number;
  updated_at: number;
}

export interface ConnectionRecord {
  id: string;
  client_id: string;
  server: string;
  scopes: string[];
  audience: Audience;
  ttl: number;
  enabled: boolean;
  /** Step-up: maximum age (s) of the user's sign-in; null = any. */
  max_auth_age: number | null;
  /** Sender constraint: the token exchange must carry a DPoP proof (RFC 9449 §4). */
  require_dpop: boolean;
  created_at: number;
  updated_at: number;
}

type Row = Record<string, unknown>;
const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
const bool = (v: unknown) => v === 1 || v === true;

export class DirectoryStore {
  constructor(
    readonly db: Db,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /**
   * Reads on the token-exchange path (the client, the user, the servers, the policy's connections)
   * answered from memory while nothing was written through this connection since (node-kit
   * `writeGeneration`: any write, by any code, empties it). Cached values are frozen: callers copy.
   */
  private readonly memo = new Map<string, unknown>();
  private memoGeneration = Number.NaN;

  private cached<T>(key: string, read: () => T): T {
    const generation = writeGeneration(this.db);
    if (generation !== this.memoGeneration) {
      this.memo.clear();
      this.memoGeneration = generation;
    }
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = deepFreeze(read());
    if (!Number.isNaN(generation)) this.memo.set(key, value);
    return value;
  }

  private now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  // ---- users -----------------------------------------------------------------------------------

  private userFromRow(row: Row): UserRecord {
    const groups = (this.db.prepare('SELECT group_name FROM user_groups WHERE user_id = ? ORDER BY group_name').all(row.id) as Row[]).map((r) =>
      String(r.group_name),
    );
    return {
      id: String(row.id),
      username: String(row.username),
      email: String(row.email),
      name: String(row.name),
      groups,
      admin: bool(row.admin),
      disabled: bool(row.disabled),
      not_before: Number(row.not_before),
      created_at: Number(row.created_at),
      updated_at: Number(row.updated_at),
    };
  }

  listUsers(): UserRecord[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as Row[]).map((r) => this.userFromRow(r));
  }

  getUser(id: string): UserRecord | undefined {
    return this.cached(`user:${id}`, () => {
      const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
      return row ? this.userFromRow(row) : undefined;
    });
  }

  findUserByUsername(username: string): (UserRecord & { password_hash: string }) | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
    return row ? { ...this.userFromRow(row), password_hash: String(row.password_hash) } : undefined;
  }

  /** By id, or by username (admin API paths accept both). */
  resolveUser(idOrUsername: string): UserRecord | undefined {
    return this.getUser(idOrUsername) ?? this.findUserByUsername(idOrUsername);
  }

  /**
   * The user with this email, compared case-insensitively (RFC 5321 §2.4 leaves the local part's
   * case to the mail host; every mail host this directory knows ignores it). Emails are unique here:
   * an AS may link accounts by a verified email, so one address must name one person.
   */
  findUserByEmail(email: string): UserRecord | undefined {
    const row = this.db.prepare('SELECT id FROM users WHERE lower(email) = lower(?) LIMIT 1').get(email) as { id: string } | undefined;
    return row ? this.getUser(row.id) : undefined;
  }

  private assertEmailFree(email: string, exceptId?: string): void {
    const holder = this.findUserByEmail(email);
    if (holder && holder.id !== exceptId) throw new EmailTakenError(email);
  }

  createUser(input: { id?: string; username: string; email: string; name: string; password_hash: string; admin?: boolean; groups?: string[] }): UserRecord {
    const id = input.id ?? `u_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const now = this.now();
    this.db.transaction(() => {
      this.assertEmailFree(input.email);
      this.db
        .prepare(
          'INSERT INTO users (id, username, email, name, password_hash, admin, disabled, not_before, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)',
        )
        .run(id, input.username, input.email, input.name, input.password_hash, input.admin ? 1 : 0, now, now);
      this.setUserGroups(id, input.groups ?? []);
    })();
    return this.getUser(id) as UserRecord;
  }

  setUserGroups(id: string, groups: string[]): void {
    this.db.prepare('DELETE FROM user_groups WHERE user_id = ?').run(id);
    const ins = this.db.prepare('INSERT INTO user_groups (user_id, group_name) VALUES (?, ?)');
    for (const g of new Set(groups)) ins.run(id, g);
  }

  updateUser(
    id: string,
    patch: Partial<Pick<UserRecord, 'email' | 'name' | 'admin' | 'disabled' | 'groups' | 'not_before'>> & { password_hash?: string },
  ): UserRecord | undefined {
    const current = this.getUser(id);
    if (!current) return undefined;
    this.db.transaction(() => {
      if (patch.email !== undefined) this.assertEmailFree(patch.email, id);
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const key of ['email', 'name', 'password_hash', 'not_before'] as const) {
        if (patch[key] !== undefined) {
          sets.push(`${key} = ?`);
          values.push(patch[key]);
        }
      }
      for (const key of ['admin', 'disabled'] as const) {
        if (patch[key] !== undefined) {
          sets.push(`${key} = ?`);
          values.push(patch[key] ? 1 : 0);
        }
      }
      sets.push('updated_at = ?');
      values.push(this.now());
      this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
      if (patch.groups) this.setUserGroups(id, patch.groups);
    })();
    return this.getUser(id);
  }

  deleteUser(id: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }

  // ---- groups ----------------------------------------------------------------------------------

  listGroups(): Array<GroupRecord & { members: string[] }> {
    const rows = this.db.prepare('SELECT * FROM groups ORDER BY name').all() as Row[];
    const members = this.db.prepare('SELECT u.username FROM user_groups g JOIN users u ON u.id = g.user_id WHERE g.group_name = ? ORDER BY u.username');
    return rows.map((r) => ({ name: String(r.name), title: String(r.title), members: (members.all(r.name) as Row[]).map((m) => String(m.username)) }));
  }

  getGroup(name: string): GroupRecord | undefined {
    const row = this.db.prepare('SELECT * FROM groups WHERE name = ?').get(name) as Row | undefined;
    return row ? { name: String(row.name), title: String(row.title) } : undefined;
  }

  upsertGroup(group: GroupRecord): GroupRecord {
    this.db.prepare('INSERT INTO groups (name, title) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET title = excluded.title').run(group.name, group.title);
    return group;
  }

  deleteGroup(name: string): boolean {
    return this.db.prepare('DELETE FROM groups WHERE name = ?').run(name).changes > 0;
  }

  // ---- servers ---------------------------------------------------------------------------------

  private serverFromRow(r: Row): ServerRecord {
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

  listServers(): ServerRecord[] {
    return this.cached('servers', () => (this.db.prepare('SELECT * FROM servers ORDER BY name').all() as Row[]).map((r) => this.serverFromRow(r)));
  }

  getServer(name: string): ServerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM servers WHERE name = ?').get(name) as Row | undefined;
    return row ? this.serverFromRow(row) : undefined;
  }

  upsertServer(s: ServerRecord): ServerRecord {
    const now = this.now();
    this.db
      .prepare(
        `INSERT INTO servers (name, title, issuer, resource, scopes, xaa, pairwise_subject, admin_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET title = excluded.title, issuer = excluded.issuer, resource = excluded.resource, scopes = excluded.scopes,
           xaa = excluded.xaa, pairwise_subject = excluded.pairwise_subject, admin_url = excluded.admin_url, updated_at = excluded.updated_at`,
      )
      .run(s.name, s.title, s.issuer, s.resource, JSON.stringify(s.scopes), s.xaa ? 1 : 0, s.pairwise_subject ? 1 : 0, s.admin_url, now, now);
    return this.getServer(s.name) as ServerRecord;
  }

  deleteServer(name: string): boolean {
    return this.db.prepare('DELETE FROM servers WHERE name = ?').run(name).changes > 0;
  }

  // ---- apps ------------------------------------------------------------------------------------

  private appFromRow(r: Row): AppRecord {
    const regs = this.db.prepare('SELECT server, remote_client_id FROM app_registrations WHERE client_id = ? ORDER BY server').all(r.client_id) as Row[];
    return {
      client_id: String(r.client_id),
      title: String(r.title),
      kind: String(r.kind) as AppKind,
      client_secret: r.client_secret === null ? null : String(r.client_secret),
      token_endpoint_auth_method: String(r.token_endpoint_auth_method) as TokenEndpointAuthMethod,
      redirect_uris: json<string[]>(r.redirect_uris),
      post_logout_redirect_uris: json<string[]>(r.post_logout_redirect_uris),
      jwks: r.jwks === null ? null : json(r.jwks),
      token_exchange: bool(r.token_exchange),
      disabled: bool(r.disabled),
      registrations: Object.fromEntries(regs.map((g) => [String(g.server), String(g.remote_client_id)])),
      created_at: Number(r.created_at),
      updated_at: Number(r.updated_at),
    };
  }

  listApps(): AppRecord[] {
    return (this.db.prepare('SELECT * FROM apps ORDER BY client_id').all() as Row[]).map((r) => this.appFromRow(r));
  }

  getApp(clientId: string): AppRecord | undefined {
    return this.cached(`app:${clientId}`, () => {
      const row = this.db.prepare('SELECT * FROM apps WHERE client_id = ?').get(clientId) as Row | undefined;
      return row ? this.appFromRow(row) : undefined;
    });
  }

  upsertApp(a: Omit<AppRecord, 'created_at' | 'updated_at'>): AppRecord {
    const now = this.now();
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO apps (client_id, title, kind, client_secret, token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, jwks, token_exchange, disabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(client_id) DO UPDATE SET title = excluded.title, kind = excluded.kind, client_secret = excluded.client_secret,
             token_endpoint_auth_method = excluded.token_endpoint_auth_method, redirect_uris = excluded.redirect_uris,
             post_logout_redirect_uris = excluded.post_logout_redirect_uris, jwks = excluded.jwks, token_exchange = excluded.token_exchange,
             disabled = excluded.disabled, updated_at = excluded.updated_at`,
        )
        .run(
          a.client_id,
          a.title,
          a.kind,
          a.client_secret,
          a.token_endpoint_auth_method,
          JSON.stringify(a.redirect_uris),
          JSON.stringify(a.post_logout_redirect_uris),
          a.jwks ? JSON.stringify(a.jwks) : null,
          a.token_exchange ? 1 : 0,
          a.disabled ? 1 : 0,
          now,
          now,
        );
      this.db.prepare('DELETE FROM app_registrations WHERE client_id = ?').run(a.client_id);
      const ins = this.db.prepare('INSERT INTO app_registrations (client_id, server, remote_client_id) VALUES (?, ?, ?)');
      for (const [server, remote] of Object.entries(a.registrations)) ins.run(a.client_id, server, remote);
    })();
    return this.getApp(a.client_id) as AppRecord;
  }

  deleteApp(clientId: string): boolean {
    return this.db.prepare('DELETE FROM apps WHERE client_id = ?').run(clientId).changes > 0;
  }

  // ---- connections -----------------------------------------------------------------------------

  private connectionFromRow(r: Row): ConnectionRecord {
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

  listConnections(filter: { client_id?: string; server?: string } = {}): ConnectionRecord[] {
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
    return (this.db.prepare(sql).all(...values) as Row[]).map((r) => this.connectionFromRow(r));
  }

  getConnection(id: string): ConnectionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM connections WHERE id = ?').get(id) as Row | undefined;
    return row ? this.connectionFromRow(row) : undefined;
  }

  createConnection(
    c: Omit<ConnectionRecord, 'id' | 'created_at' | 'updated_at' | 'max_auth_age' | 'require_dpop'> & {
      id?: string;
      max_auth_age?: number | null;
      require_dpop?: boolean;
    },
  ): ConnectionRecord {
    const id = c.id ?? `conn_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const now = this.now();
    this.db
      .prepare(
        'INSERT INTO connections (id, client_id, server, scopes, audience, ttl, enabled, max_auth_age, require_dpop, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
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
    return this.getConnection(id) as ConnectionRecord;
  }

  updateConnection(
    id: string,
    patch: Partial<Pick<ConnectionRecord, 'scopes' | 'audience' | 'ttl' | 'enabled' | 'max_auth_age' | 'require_dpop'>>,
  ): ConnectionRecord | undefined {
    const current = this.getConnection(id);
    if (!current) return undefined;
    const next = { ...current, ...patch };
    this.db
      .prepare('UPDATE connections SET scopes = ?, audience = ?, ttl = ?, enabled = ?, max_auth_age = ?, require_dpop = ?, updated_at = ? WHERE id = ?')
      .run(
        JSON.stringify(next.scopes),
        JSON.stringify(next.audience),
        next.ttl,
        next.enabled ? 1 : 0,
        next.max_auth_age,
        next.require_dpop ? 1 : 0,
        this.now(),
        id,
      );
    return this.getConnection(id);
  }

  deleteConnection(id: string): boolean {
    return this.db.prepare('DELETE FROM connections WHERE id = ?').run(id).changes > 0;
  }

  // ---- the policy engine's view ----------------------------------------------------------------

  /** Connections as the policy engine sees them: joined with the server's pair and the client-id mapping. */
  policyConnections(clientId?: string): Connection[] {
    return this.cached(`policy:${clientId ?? '*'}`, () => this.readPolicyConnections(clientId));
  }

  private readPolicyConnections(clientId?: string): Connection[] {
    const servers = new Map(this.listServers().map((s) => [s.name, s]));
    const out: Connection[] = [];
    for (const c of this.listConnections(clientId ? { client_id: clientId } : {})) {
      const server = servers.get(c.server);
      if (!server) continue;
      const remote = this.db.prepare('SELECT remote_client_id FROM app_registrations WHERE client_id = ? AND server = ?').get(c.client_id, c.server) as
        | Row
        | undefined;
      out.push({
        id: c.id,
        client: c.client_id,
        server: c.server,
        issuer: server.issuer,
        resource: server.resource,
        // draft-04 §5: the client's id at that AS; without a mapping the IdP client id is used as-is.
        remote_client_id: remote ? String(remote.remote_client_id) : c.client_id,
        scopes: c.scopes,
        audience: c.audience,
        ttl: c.ttl,
        enabled: c.enabled,
        ...(c.max_auth_age !== null ? { max_auth_age: c.max_auth_age } : {}),
        ...(c.require_dpop ? { require_dpop: true } : {}),
      });
    }
    return out;
  }

  policyDirectory(): Directory {
    return {
      user: (id) => {
        const u = this.getUser(id);
        return u ? { id: u.id, username: u.username, groups: u.groups, disabled: u.disabled } : undefined;
      },
      client: (id) => {
        const a = this.getApp(id);
        return a ? { client_id: a.client_id, title: a.title, disabled: a.disabled || !a.token_exchange } : undefined;
      },
      servers: () =>
        this.listServers()
          .filter((s) => s.xaa)
          .map((s) => ({ name: s.name, title: s.title, issuer: s.issuer, resources: [s.resource], scopes: s.scopes })),
    };
  }
}

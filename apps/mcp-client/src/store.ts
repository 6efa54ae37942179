/**
 * `client.db`: the agent's own trust domain (docs/decisions.md §1). It keeps, per user and app, the SSO session
 * (ID token + IdP refresh token), and per server the current access token and the connection state
 * ("connected", "blocked by your organization", …). Tokens are stored because the CLI's `connect` and
 * `call` are separate processes (EMA §7.5.4 asks for secure storage: the file is created 0600 and
 * never logged). ID-JAGs are never stored: a fresh one is fetched for every jwt-bearer request
 * (EMA §7.4.2 single use).
 */
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Db, openDatabase } from '@xaa/node-kit';

const MIGRATIONS = [
  `CREATE TABLE sessions (
     user TEXT NOT NULL,
     app TEXT NOT NULL,
     sub TEXT NOT NULL,
     id_token TEXT NOT NULL,
     id_token_exp INTEGER NOT NULL,
     refresh_token TEXT,
     login_trace TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (user, app)
   );
   CREATE TABLE current_session (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     user TEXT NOT NULL,
     app TEXT NOT NULL
   );
   CREATE TABLE pending_auth (
     state TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('sso', 'classic')),
     data TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     result TEXT
   );
   CREATE TABLE connections (
     user TEXT NOT NULL,
     app TEXT NOT NULL,
     server TEXT NOT NULL,
     purpose TEXT NOT NULL DEFAULT '',
     mode TEXT NOT NULL CHECK (mode IN ('xaa', 'classic')),
     status TEXT NOT NULL CHECK (status IN ('connected', 'blocked', 'error')),
     requested_scope TEXT,
     scope TEXT,
     access_token TEXT,
     token_type TEXT,
     expires_at INTEGER,
     jti TEXT,
     refresh_token TEXT,
     as_issuer TEXT,
     resource TEXT,
     error TEXT,
     error_description TEXT,
     consent_screens INTEGER NOT NULL DEFAULT 0,
     tools TEXT,
     trace_id TEXT,
     updated_at INTEGER NOT NULL,
     PRIMARY KEY (user, app, server, purpose)
   );
   CREATE TABLE as_clients (
     issuer TEXT NOT NULL,
     app TEXT NOT NULL,
     info TEXT NOT NULL,
     PRIMARY KEY (issuer, app)
   );`,
  // The tools as listed (name, description, input schema), so a UI can build a form for the arguments.
  `ALTER TABLE connections ADD COLUMN tool_list TEXT;`,
  // DPoP (RFC 9449): one key pair per signed-in session (purpose '') and per sub-agent (its purpose),
  // kept with the session and dropped with it.
  `CREATE TABLE dpop_keys (
     user TEXT NOT NULL,
     app TEXT NOT NULL,
     purpose TEXT NOT NULL DEFAULT '',
     private_jwk TEXT NOT NULL,
     jkt TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (user, app, purpose)
   );`,
  // How the session signed in: 'oidc' (ID token + IdP refresh token) or 'saml2' (SAML Web SSO, then the
  // IdP refresh token the Assertion was exchanged for, draft-04 §4.5; id_token is empty then).
  `ALTER TABLE sessions ADD COLUMN protocol TEXT NOT NULL DEFAULT 'oidc'`,
  // MCP servers learnt at run time (the console's "Add a server"): the resource (RFC 9728), its AS issuer
  // (RFC 8414) and each app's client registration at that AS, so they survive a restart.
  `CREATE TABLE added_servers (
     name TEXT PRIMARY KEY,
     title TEXT NOT NULL,
     resource TEXT NOT NULL,
     issuer TEXT NOT NULL,
     scopes TEXT NOT NULL,
     registrations TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
];

export interface SessionRow {
  user: string;
  app: string;
  sub: string;
  id_token: string;
  /** Seconds since the epoch. */
  id_token_exp: number;
  refresh_token: string | null;
  /** Trace id of the login action: sub-agent tokens point back to it (lineage). */
  login_trace: string;
  /** 'oidc', or 'saml2' when the IdP refresh token came from a SAML assertion (no ID token then). */
  protocol: 'oidc' | 'saml2';
  created_at: number;
  updated_at: number;
}

export type ConnectionStatus = 'connected' | 'blocked' | 'error';

export interface ConnectionRow {
  user: string;
  app: string;
  server: string;
  /** '' for the app's own connection; e.g. `sub-agent` for a down-scoped token. */
  purpose: string;
  mode: 'xaa' | 'classic';
  status: ConnectionStatus;
  requested_scope: string | null;
  scope: string | null;
  access_token: string | null;
  token_type: string | null;
  /** Seconds since the epoch. */
  expires_at: number | null;
  jti: string | null;
  refresh_token: string | null;
  as_issuer: string | null;
  resource: string | null;
  error: string | null;
  error_description: string | null;
  consent_screens: number;
  /** JSON array of tool names. */
  tools: string | null;
  /** JSON array of `ToolInfo` (names, descriptions, input schemas); null keeps what is stored. */
  tool_list?: string | null;
  trace_id: string | null;
  updated_at: number;
}

/** A server learnt at run time; `registrations` is keyed by app name. */
export interface AddedServerRow {
  name: string;
  title: string;
  resource: string;
  issuer: string;
  scopes: string[];
  registrations: Record<string, { client_id: string; client_secret?: string }>;
  updated_at: number;
}

export interface PendingAuth {
  state: string;
  kind: 'sso' | 'classic';
  data: Record<string, unknown>;
  expiresAt: number;
  result: Record<string, unknown> | undefined;
}

export class ClientStore {
  readonly db: Db;

  constructor(path: string) {
    const fresh = path !== ':memory:' && !existsSync(path);
    this.db = openDatabase(path, MIGRATIONS);
    if (fresh) chmodSync(path, 0o600);
  }

  static open(dataDir: string): ClientStore {
    return new ClientStore(join(dataDir, 'client.db'));
  }

  close(): void {
    this.db.close();
  }

  // --- SSO sessions (leg 1) -------------------------------------------------------------------

  saveSession(s: Omit<SessionRow, 'created_at' | 'updated_at' | 'protocol'> & { protocol?: SessionRow['protocol'] }, now: number): void {
    // A new sign-in is a new session: its DPoP keys are new too.
    this.db.prepare('DELETE FROM dpop_keys WHERE user = ? AND app = ?').run(s.user, s.app);
    this.db
      .prepare(
        `INSERT INTO sessions (user, app, sub, id_token, id_token_exp, refresh_token, login_trace, protocol, created_at, updated_at)
         VALUES (@user, @app, @sub, @id_token, @id_token_exp, @refresh_token, @login_trace, @protocol, @now, @now)
         ON CONFLICT (user, app) DO UPDATE SET sub = @sub, id_token = @id_token, id_token_exp = @id_token_exp,
           refresh_token = @refresh_token, login_trace = @login_trace, protocol = @protocol, created_at = @now, updated_at = @now`,
      )
      .run({ protocol: 'oidc', ...s, now });
  }

  /** After a refresh: new ID token (and maybe a rotated refresh token), same login lineage. */
  updateSessionTokens(user: string, app: string, t: { id_token: string; id_token_exp: number; refresh_token: string | null }, now: number): void {
    this.db
      .prepare('UPDATE sessions SET id_token = ?, id_token_exp = ?, refresh_token = COALESCE(?, refresh_token), updated_at = ? WHERE user = ? AND app = ?')
      .run(t.id_token, t.id_token_exp, t.refresh_token, now, user, app);
  }

  getSession(user: string, app: string): SessionRow | undefined {
    return this.db.prepare('SELECT * FROM sessions WHERE user = ? AND app = ?').get(user, app) as SessionRow | undefined;
  }

  deleteSession(user: string, app: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE user = ? AND app = ?').run(user, app);
      this.db.prepare('DELETE FROM connections WHERE user = ? AND app = ?').run(user, app);
      this.db.prepare('DELETE FROM current_session WHERE user = ? AND app = ?').run(user, app);
      this.db.prepare('DELETE FROM dpop_keys WHERE user = ? AND app = ?').run(user, app);
    })();
  }

  // --- DPoP keys (RFC 9449), per session and sub-agent ----------------------------------------------

  getDpopKey(user: string, app: string, purpose: string): { private_jwk: string; jkt: string } | undefined {
    return this.db.prepare('SELECT private_jwk, jkt FROM dpop_keys WHERE user = ? AND app = ? AND purpose = ?').get(user, app, purpose) as
      | { private_jwk: string; jkt: string }
      | undefined;
  }

  /** Keeps the first key saved for (user, app, purpose): concurrent commands agree on one key. */
  saveDpopKey(user: string, app: string, purpose: string, privateJwk: string, jkt: string, now: number): void {
    this.db
      .prepare('INSERT INTO dpop_keys (user, app, purpose, private_jwk, jkt, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(user, app, purpose, privateJwk, jkt, now);
  }

  setCurrent(user: string, app: string): void {
    this.db
      .prepare('INSERT INTO current_session (id, user, app) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET user = excluded.user, app = excluded.app')
      .run(user, app);
  }

  getCurrent(): { user: string; app: string } | undefined {
    return this.db.prepare('SELECT user, app FROM current_session WHERE id = 1').get() as { user: string; app: string } | undefined;
  }

  // --- pending front-channel flows (SSO login and classic consent), shared across processes -------

  putPending(state: string, kind: 'sso' | 'classic', data: Record<string, unknown>, now: number, ttlSeconds: number): void {
    this.db.prepare('DELETE FROM pending_auth WHERE expires_at < ?').run(now);
    this.db
      .prepare('INSERT INTO pending_auth (state, kind, data, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(state, kind, JSON.stringify(data), now, now + ttlSeconds);
  }

  getPending(state: string, now: number): PendingAuth | undefined {
    const row = this.db.prepare('SELECT * FROM pending_auth WHERE state = ? AND expires_at >= ?').get(state, now) as
      | { state: string; kind: 'sso' | 'classic'; data: string; expires_at: number; result: string | null }
      | undefined;
    if (!row) return undefined;
    return {
      state: row.state,
      kind: row.kind,
      data: JSON.parse(row.data) as Record<string, unknown>,
      expiresAt: row.expires_at,
      result: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : undefined,
    };
  }

  /** Mark a pending flow as finished; returns false when it was already finished (state reuse). */
  completePending(state: string, result: Record<string, unknown>): boolean {
    return this.db.prepare('UPDATE pending_auth SET result = ? WHERE state = ? AND result IS NULL').run(JSON.stringify(result), state).changes === 1;
  }

  deletePending(state: string): void {
    this.db.prepare('DELETE FROM pending_auth WHERE state = ?').run(state);
  }

  // --- per-server connections (legs 2 and 3, or the classic flow) ------------------------------------

  saveConnection(c: Omit<ConnectionRow, 'updated_at'>, now: number): void {
    this.db
      .prepare(
        `INSERT INTO connections (user, app, server, purpose, mode, status, requested_scope, scope, access_token, token_type, expires_at, jti,
           refresh_token, as_issuer, resource, error, error_description, consent_screens, tools, tool_list, trace_id, updated_at)
         VALUES (@user, @app, @server, @purpose, @mode, @status, @requested_scope, @scope, @access_token, @token_type, @expires_at, @jti,
           @refresh_token, @as_issuer, @resource, @error, @error_description, @consent_screens, @tools, @tool_list, @trace_id, @now)
         ON CONFLICT (user, app, server, purpose) DO UPDATE SET mode = @mode, status = @status, requested_scope = @requested_scope, scope = @scope,
           access_token = @access_token, token_type = @token_type, expires_at = @expires_at, jti = @jti, refresh_token = @refresh_token,
           as_issuer = @as_issuer, resource = @resource, error = @error, error_description = @error_description,
           consent_screens = @consent_screens, tools = COALESCE(@tools, tools), tool_list = COALESCE(@tool_list, tool_list), trace_id = @trace_id, updated_at = @now`,
      )
      .run({ tool_list: null, ...c, now });
  }

  getConnection(user: string, app: string, server: string, purpose = ''): ConnectionRow | undefined {
    return this.db.prepare('SELECT * FROM connections WHERE user = ? AND app = ? AND server = ? AND purpose = ?').get(user, app, server, purpose) as
      | ConnectionRow
      | undefined;
  }

  listConnections(user: string, app: string): ConnectionRow[] {
    return this.db.prepare('SELECT * FROM connections WHERE user = ? AND app = ? ORDER BY server, purpose').all(user, app) as ConnectionRow[];
  }

  // --- client registrations obtained at run time (classic flow: RFC 7591 DCR) ------------------------

  getAsClient(issuer: string, app: string): Record<string, unknown> | undefined {
    const row = this.db.prepare('SELECT info FROM as_clients WHERE issuer = ? AND app = ?').get(issuer, app) as { info: string } | undefined;
    return row ? (JSON.parse(row.info) as Record<string, unknown>) : undefined;
  }

  saveAsClient(issuer: string, app: string, info: Record<string, unknown>): void {
    this.db
      .prepare('INSERT INTO as_clients (issuer, app, info) VALUES (?, ?, ?) ON CONFLICT (issuer, app) DO UPDATE SET info = excluded.info')
      .run(issuer, app, JSON.stringify(info));
  }

  deleteAsClient(issuer: string, app: string): void {
    this.db.prepare('DELETE FROM as_clients WHERE issuer = ? AND app = ?').run(issuer, app);
  }

  // --- MCP servers learnt at run time ----------------------------------------------------------------

  listAddedServers(): AddedServerRow[] {
    const rows = this.db.prepare('SELECT * FROM added_servers ORDER BY name').all() as Array<
      Omit<AddedServerRow, 'scopes' | 'registrations'> & { scopes: string; registrations: string }
    >;
    return rows.map((r) => ({ ...r, scopes: JSON.parse(r.scopes) as string[], registrations: JSON.parse(r.registrations) as AddedServerRow['registrations'] }));
  }

  putAddedServer(s: Omit<AddedServerRow, 'updated_at'>, now: number): void {
    this.db
      .prepare(
        `INSERT INTO added_servers (name, title, resource, issuer, scopes, registrations, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET title = excluded.title, resource = excluded.resource, issuer = excluded.issuer,
           scopes = excluded.scopes, registrations = excluded.registrations, updated_at = excluded.updated_at`,
      )
      .run(s.name, s.title, s.resource, s.issuer, JSON.stringify(s.scopes), JSON.stringify(s.registrations), now);
  }

  deleteAddedServer(name: string): boolean {
    return this.db.prepare('DELETE FROM added_servers WHERE name = ?').run(name).changes === 1;
  }
}

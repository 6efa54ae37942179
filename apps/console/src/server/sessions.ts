/**
 * Server-side sessions in `console.db` (the console's own trust domain). The browser holds only an
 * opaque random id in an HttpOnly cookie; the table keys rows by the SHA-256 of that id, so a copy of
 * the database does not yield usable cookies. Tokens (the IdP refresh token and per-API access
 * tokens) live here and never reach the browser.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Db, openDatabase } from '@xaa/node-kit';

export interface PendingLogin {
  state: string;
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

export interface AdminUser {
  sub: string;
  username: string;
  name?: string;
  email?: string;
}

export interface CachedToken {
  access_token: string;
  /** Seconds since the epoch. */
  exp: number;
  scope: string;
}

export interface SessionData {
  pending?: PendingLogin;
  user?: AdminUser;
  refreshToken?: string;
  /** Access tokens per admin API (RFC 8707 resource → token). */
  tokens?: Record<string, CachedToken>;
}

export interface Session {
  /** Hash of the cookie value (row key). */
  key: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
  data: SessionData;
}

const MIGRATIONS = [
  `CREATE TABLE sessions (
     key TEXT PRIMARY KEY,
     csrf TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX sessions_expires ON sessions(expires_at);`,
];

const hash = (id: string) => createHash('sha256').update(id).digest('base64url');
const random = () => randomBytes(32).toString('base64url');

export class SessionStore {
  readonly db: Db;
  private readonly now: () => number;

  constructor(path: string, now: () => number = () => Math.floor(Date.now() / 1000)) {
    this.db = openDatabase(path, MIGRATIONS);
    this.now = now;
  }

  /** A new session; returns the cookie value (the only copy of the raw id). */
  create(data: SessionData, ttl: number): { id: string; session: Session } {
    const id = random();
    const now = this.now();
    const session: Session = { key: hash(id), csrf: random(), createdAt: now, expiresAt: now + ttl, data };
    this.db
      .prepare('INSERT INTO sessions (key, csrf, created_at, expires_at, data) VALUES (?, ?, ?, ?, ?)')
      .run(session.key, session.csrf, now, session.expiresAt, JSON.stringify(data));
    return { id, session };
  }

  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 200) return undefined;
    const row = this.db.prepare('SELECT key, csrf, created_at, expires_at, data FROM sessions WHERE key = ?').get(hash(id)) as
      | { key: string; csrf: string; created_at: number; expires_at: number; data: string }
      | undefined;
    if (!row) return undefined;
    if (row.expires_at <= this.now()) {
      this.db.prepare('DELETE FROM sessions WHERE key = ?').run(row.key);
      return undefined;
    }
    return { key: row.key, csrf: row.csrf, createdAt: row.created_at, expiresAt: row.expires_at, data: JSON.parse(row.data) as SessionData };
  }

  save(session: Session): void {
    this.db.prepare('UPDATE sessions SET data = ?, expires_at = ? WHERE key = ?').run(JSON.stringify(session.data), session.expiresAt, session.key);
  }

  destroy(session: Session): void {
    this.db.prepare('DELETE FROM sessions WHERE key = ?').run(session.key);
  }

  purgeExpired(): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(this.now()).changes;
  }

  close(): void {
    this.db.close();
  }
}

/** Constant-time comparison of two CSRF tokens. */
export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

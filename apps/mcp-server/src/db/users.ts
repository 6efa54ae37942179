/**
 * Local users of one server and the subject mapping (IdP issuer, sub) -> local user
 * (draft-04 §3.1, §6.3). Users are resolved on `iss`+`sub`, never `sub` alone;
 * `email` is only a linking hint when JIT provisioning links a new subject. `issuer` is the IdP a user
 * came from (the topology's IdP for seeded users, the ID-JAG's `iss` for JIT users, none for users
 * made here): a new subject is linked by email only to a user of the same IdP.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '@xaa/node-kit';

export interface LocalUser {
  id: string;
  username: string;
  email: string | null;
  name: string;
  source: 'seed' | 'jit' | 'admin';
  /** The IdP issuer this user came from; null for a user of this server alone. */
  issuer: string | null;
  created_at: number;
}

export interface IdentityLink {
  iss: string;
  sub: string;
  user_id: string;
  created_at: number;
}

/** Entries kept by each in-memory view before it starts over (a bound, not a tuning knob). */
const VIEW_LIMIT = 10_000;

/**
 * Users are read on every redemption (subject mapping) and every MCP call (the token's `sub`), so
 * the store keeps in-memory views of the users and links it has read. This connection is the only
 * writer of this server's rows (each server's runtime owns them), and every write goes through
 * `create`, `remove` or `link`, which clear the views; a removed user (and, by the cascade, its
 * links) is therefore unknown at once. Only rows read outside a transaction are kept: a transaction
 * may still roll back.
 */
export class UserStore {
  private readonly getStmt;
  private readonly identityStmt;
  private readonly byId = new Map<string, LocalUser>();
  /** issuer → subject → user. */
  private readonly byIdentity = new Map<string, Map<string, LocalUser>>();
  private identities = 0;

  constructor(
    private readonly db: Db,
    private readonly server: string,
    private readonly nowSeconds: () => number,
  ) {
    this.getStmt = db.prepare('SELECT id, username, email, name, source, issuer, created_at FROM users WHERE server = ? AND id = ?');
    this.identityStmt = db.prepare(
      'SELECT u.id, u.username, u.email, u.name, u.source, u.issuer, u.created_at FROM identities i JOIN users u ON u.server = i.server AND u.id = i.user_id WHERE i.server = ? AND i.iss = ? AND i.sub = ?',
    );
  }

  list(): Array<LocalUser & { identities: Array<{ iss: string; sub: string }> }> {
    const users = this.db
      .prepare('SELECT id, username, email, name, source, issuer, created_at FROM users WHERE server = ? ORDER BY created_at, username')
      .all(this.server) as LocalUser[];
    const links = this.db.prepare('SELECT iss, sub, user_id FROM identities WHERE server = ?').all(this.server) as IdentityLink[];
    return users.map((u) => ({ ...u, identities: links.filter((l) => l.user_id === u.id).map(({ iss, sub }) => ({ iss, sub })) }));
  }

  get(id: string): LocalUser | undefined {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const user = this.getStmt.get(this.server, id) as LocalUser | undefined;
    if (user && !this.db.inTransaction) {
      if (this.byId.size >= VIEW_LIMIT) this.byId.clear();
      this.byId.set(id, Object.freeze(user));
    }
    return user;
  }

  byUsername(username: string): LocalUser | undefined {
    return this.db
      .prepare('SELECT id, username, email, name, source, issuer, created_at FROM users WHERE server = ? AND username = ?')
      .get(this.server, username) as LocalUser | undefined;
  }

  /**
   * The one user a new (`iss`, `sub`) may be linked to by email: same email (case-insensitive), came
   * from the same issuer, and not linked to another subject of that issuer yet (a second subject with
   * the same email is another account, e.g. a recycled address). None when that is not exactly one.
   */
  linkableByEmail(iss: string, email: string): LocalUser | undefined {
    const rows = this.db
      .prepare(
        `SELECT u.id, u.username, u.email, u.name, u.source, u.issuer, u.created_at FROM users u
         WHERE u.server = ? AND u.issuer = ? AND u.email = ? COLLATE NOCASE
           AND NOT EXISTS (SELECT 1 FROM identities i WHERE i.server = u.server AND i.user_id = u.id AND i.iss = u.issuer)
         LIMIT 2`,
      )
      .all(this.server, iss, email) as LocalUser[];
    return rows.length === 1 ? rows[0] : undefined;
  }

  create(input: { username: string; email?: string | null; name?: string; source: LocalUser['source']; issuer?: string | null }): LocalUser {
    let username = input.username.toLowerCase().replace(/[^a-z0-9._-]/g, '') || 'user';
    for (let i = 2; this.byUsername(username); i++) username = `${input.username}-${i}`;
    const user: LocalUser = {
      id: randomUUID(),
      username,
      email: input.email ?? null,
      name: input.name ?? username,
      source: input.source,
      issuer: input.issuer ?? null,
      created_at: this.nowSeconds(),
    };
    try {
      this.db
        .prepare('INSERT INTO users (server, id, username, email, name, source, issuer, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(this.server, user.id, user.username, user.email, user.name, user.source, user.issuer, user.created_at);
    } finally {
      this.changed();
    }
    return user;
  }

  remove(id: string): boolean {
    try {
      return this.db.prepare('DELETE FROM users WHERE server = ? AND id = ?').run(this.server, id).changes === 1;
    } finally {
      this.changed();
    }
  }

  findByIdentity(iss: string, sub: string): LocalUser | undefined {
    const hit = this.byIdentity.get(iss)?.get(sub);
    if (hit) return hit;
    const user = this.identityStmt.get(this.server, iss, sub) as LocalUser | undefined;
    if (user && !this.db.inTransaction) {
      if (this.identities >= VIEW_LIMIT) this.changed();
      let subjects = this.byIdentity.get(iss);
      if (!subjects) {
        subjects = new Map();
        this.byIdentity.set(iss, subjects);
      }
      subjects.set(sub, Object.freeze(user));
      this.identities++;
    }
    return user;
  }

  link(iss: string, sub: string, userId: string): void {
    try {
      this.db
        .prepare('INSERT INTO identities (server, iss, sub, user_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
        .run(this.server, iss, sub, userId, this.nowSeconds());
    } finally {
      this.changed();
    }
  }

  /** Every write to this server's users or links clears the views (see the class comment). */
  private changed(): void {
    this.byId.clear();
    this.byIdentity.clear();
    this.identities = 0;
  }
}

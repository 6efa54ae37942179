/** The users table and its group memberships (user_groups): plain SQL, no caching (DirectoryStore caches). */
import { randomUUID } from 'node:crypto';
import type { Db } from '@xaa/node-kit';
import { bool, type Row, type UserRecord } from './records.ts';

export interface NewUser {
  id?: string;
  username: string;
  email: string;
  name: string;
  password_hash: string;
  admin?: boolean;
  groups?: string[];
}

export type UserPatch = Partial<Pick<UserRecord, 'email' | 'name' | 'admin' | 'disabled' | 'groups' | 'not_before'>> & { password_hash?: string };

export const newUserId = () => `u_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

export function userFromRow(db: Db, row: Row): UserRecord {
  const groups = (db.prepare('SELECT group_name FROM user_groups WHERE user_id = ? ORDER BY group_name').all(row.id) as Row[]).map((r) => String(r.group_name));
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

export function selectUsers(db: Db): UserRecord[] {
  return (db.prepare('SELECT * FROM users ORDER BY username').all() as Row[]).map((r) => userFromRow(db, r));
}

export function selectUser(db: Db, id: string): UserRecord | undefined {
  const row = db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
  return row ? userFromRow(db, row) : undefined;
}

export function selectUserByUsername(db: Db, username: string): (UserRecord & { password_hash: string }) | undefined {
  const row = db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
  return row ? { ...userFromRow(db, row), password_hash: String(row.password_hash) } : undefined;
}

/** The id of the user with this email, compared case-insensitively. */
export function selectUserIdByEmail(db: Db, email: string): string | undefined {
  const row = db.prepare('SELECT id FROM users WHERE lower(email) = lower(?) LIMIT 1').get(email) as { id: string } | undefined;
  return row?.id;
}

export function insertUser(db: Db, id: string, input: NewUser, now: number): void {
  db.prepare(
    'INSERT INTO users (id, username, email, name, password_hash, admin, disabled, not_before, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)',
  ).run(id, input.username, input.email, input.name, input.password_hash, input.admin ? 1 : 0, now, now);
}

export function writeUserGroups(db: Db, id: string, groups: string[]): void {
  db.prepare('DELETE FROM user_groups WHERE user_id = ?').run(id);
  const ins = db.prepare('INSERT INTO user_groups (user_id, group_name) VALUES (?, ?)');
  for (const g of new Set(groups)) ins.run(id, g);
}

/** The column updates of a patch (groups are written separately); `updated_at` is always set. */
export function updateUserColumns(db: Db, id: string, patch: UserPatch, now: number): void {
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
  values.push(now);
  db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ?`).run(...values, id);
}

export function deleteUserRow(db: Db, id: string): boolean {
  return db.prepare('DELETE FROM users WHERE id = ?').run(id).changes > 0;
}

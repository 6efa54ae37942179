/** Small persisted settings (cookie keys, pairwise salt, signing algorithm). */
import { randomBytes } from 'node:crypto';
import type { Db } from '@xaa/node-kit';

export function getSetting(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setSetting(db: Db, key: string, value: string): void {
  secrets.get(db)?.delete(key);
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** Secrets already read, per connection: only `setSetting` (this process is the file's one writer) changes one. */
const secrets = new WeakMap<Db, Map<string, string>>();

/**
 * A random secret generated once and kept in idp.db, so restarts keep cookies and pairwise ids stable.
 * Read from the table once, then from memory (the pairwise salt is read on every token exchange).
 */
export function persistentSecret(db: Db, key: string): string {
  const cached = secrets.get(db)?.get(key);
  if (cached) return cached;
  let value = getSetting(db, key);
  if (!value) {
    value = randomBytes(32).toString('base64url');
    setSetting(db, key, value);
  }
  const known = secrets.get(db) ?? new Map<string, string>();
  secrets.set(db, known.set(key, value));
  return value;
}

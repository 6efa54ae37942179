/** Small persisted settings (cookie keys, pairwise salt, signing algorithm). */
import { randomBytes } from 'node:crypto';
import type { Db } from '@xaa/node-kit';

export function getSetting(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setSetting(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** A random secret generated once and kept in idp.db, so restarts keep cookies and pairwise ids stable. */
export function persistentSecret(db: Db, key: string): string {
  const existing = getSetting(db, key);
  if (existing) return existing;
  const value = randomBytes(32).toString('base64url');
  setSetting(db, key, value);
  return value;
}

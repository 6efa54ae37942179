/** Per-server secrets generated once and kept in resource.db (cookie keys). */
import { randomBytes } from 'node:crypto';
import type { Db } from '@xaa/node-kit';

export function persistentSecret(db: Db, server: string, name: string): string {
  const row = db.prepare('SELECT value FROM secrets WHERE server = ? AND name = ?').get(server, name) as { value: string } | undefined;
  if (row) return row.value;
  const value = randomBytes(32).toString('base64url');
  db.prepare('INSERT INTO secrets (server, name, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(server, name, value);
  return (db.prepare('SELECT value FROM secrets WHERE server = ? AND name = ?').get(server, name) as { value: string }).value;
}

/** SQLite checks on the data directory the playground left behind. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface IntegrityResult {
  file: string;
  ok: boolean;
  detail: string;
}

/** `PRAGMA integrity_check` on every `*.db` in `dataDir` (opening it recovers the WAL, as the app would). */
export function integrityCheck(dataDir: string): IntegrityResult[] {
  return readdirSync(dataDir)
    .filter((f) => f.endsWith('.db'))
    .sort()
    .map((file) => {
      const db = new Database(join(dataDir, file), { fileMustExist: true, timeout: 10_000 });
      try {
        const rows = db.pragma('integrity_check') as Array<{ integrity_check: string }>;
        const detail = rows.map((r) => r.integrity_check).join('; ');
        return { file, ok: detail === 'ok', detail };
      } finally {
        db.close();
      }
    });
}

/** Reads one value from a database without keeping it open (read-only). */
export function queryAll<T>(path: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

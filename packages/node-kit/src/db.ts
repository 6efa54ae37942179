/**
 * SQLite for one trust domain: better-sqlite3 in WAL mode with ordered, versioned migrations
 * (PRAGMA user_version). Each app owns its file; no app opens another's.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** A migration is SQL (run as one script) or a function; index + 1 is its version. */
export type Migration = string | ((db: Db) => void);

export function openDatabase(path: string, migrations: readonly Migration[]): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: an acknowledged write survives a power cut or kill -9 (durability over a few microseconds).
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return cachePreparedStatements(db);
}

/**
 * `db.prepare(sql)` compiles the SQL every time; the apps call it inline, next to the code that uses
 * it (readable), on hot paths (token exchange, redemption). Statements are reusable, so keep each one
 * by its SQL text. (Nothing in the apps keeps an `iterate()` cursor open, the one case where a shared
 * statement would be busy.)
 */
function cachePreparedStatements(db: Db): Db {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, ReturnType<Db['prepare']>>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      if (cache.size < 1000) cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
  return db;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) throw new Error(`Database ${db.name} is at schema version ${current}, newer than this code (${migrations.length}).`);
  for (let v = current; v < migrations.length; v++) {
    const m = migrations[v] as Migration;
    db.transaction(() => {
      if (typeof m === 'string') db.exec(m);
      else m(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

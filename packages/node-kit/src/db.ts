/**
 * SQLite for one trust domain: better-sqlite3 in WAL mode with ordered, versioned migrations
 * (PRAGMA user_version). Each app owns its file; no app opens another's.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/** A migration is SQL (run as one script) or a function; index + 1 is its version. */
export type Migration = string | ((db: Db) => void);

export function openDatabase(path: string, migrations: readonly Migration[]): Db {
  if (path !== ':memory:') restrictFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed write is in the WAL (the OS page cache) before the call returns, so
  // it survives the process being killed (kill -9, a crash; `pnpm harness:crash` checks exactly that);
  // only an OS crash or power cut can lose the last commits, never corrupt the file (sqlite.org/wal.html).
  // FULL adds an fsync to every commit, on the event loop, which every app here shares.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return cachePreparedStatements(db);
}

/**
 * The file holds signing keys and client secrets: owner read/write only (0600), like playground.json.
 * It is created with that mode before SQLite opens it (an existing file is narrowed too); SQLite
 * creates its `-wal` and `-shm` files with the mode of the database file (sqlite.org/tempfiles.html),
 * and any left over from a wider mode are narrowed here.
 */
function restrictFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  closeSync(openSync(path, 'a', 0o600));
  for (const p of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(p)) chmodSync(p, 0o600);
}

/**
 * `db.prepare(sql)` compiles the SQL every time; the apps call it inline, next to the code that uses
 * it (readable), on hot paths (token exchange, redemption). Statements are reusable, so keep each one
 * by its SQL text. (Nothing in the apps keeps an `iterate()` cursor open, the one case where a shared
 * statement would be busy.)
 */
function cachePreparedStatements(db: Db): Db {
  const prepare = db.prepare.bind(db);
  const exec = db.exec.bind(db);
  const cache = new Map<string, ReturnType<Db['prepare']>>();
  db.prepare = ((sql: string) => {
    let statement = cache.get(sql);
    if (!statement) {
      statement = prepare(sql);
      // Every write through this connection moves the generation on (see `writeGeneration`).
      const run = statement.run as (this: unknown, ...args: unknown[]) => Database.RunResult;
      statement.run = function (this: unknown, ...args: unknown[]) {
        generations.set(db, (generations.get(db) ?? 0) + 1);
        return run.apply(this, args);
      } as typeof statement.run;
      if (cache.size < 1000) cache.set(sql, statement);
    }
    return statement;
  }) as Db['prepare'];
  db.exec = ((sql: string) => {
    generations.set(db, (generations.get(db) ?? 0) + 1);
    return exec(sql);
  }) as Db['exec'];
  generations.set(db, 0);
  return db;
}

const generations = new WeakMap<Db, number>();

/**
 * A number that changes whenever anything is written through this connection (`run`, `exec`): a
 * read cache kept beside it is current while the number is the same. Only for a database this
 * connection alone writes (an app's own file); another connection's writes do not move it.
 */
export function writeGeneration(db: Db): number {
  return generations.get(db) ?? Number.NaN;
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

/** Freezes a plain value tree (objects and arrays) in place: for values a cache hands to many callers. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

interface QueuedWrite {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const groupCommits = new WeakMap<Db, (write: () => unknown) => Promise<unknown>>();

/**
 * Group commit: the writes queued on `db` in one turn of the event loop run in one transaction — one
 * WAL commit instead of one each — in the order they were queued. Each write runs in its own
 * savepoint, so one that throws is undone alone and only its caller sees the error. Every promise
 * settles after the commit (or with the commit's error): a caller that awaits it before answering
 * never answers ahead of what it wrote, across a process crash too (WAL, `synchronous = NORMAL`).
 */
export function groupCommit(db: Db): <T>(write: () => T) => Promise<T> {
  let queue = groupCommits.get(db);
  if (!queue) {
    let pending: QueuedWrite[] = [];
    const each = db.transaction((w: QueuedWrite) => w.write());
    const flush = () => {
      const batch = pending;
      pending = [];
      const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
      try {
        if (!db.open) throw new Error(`database ${db.name} is closed`);
        db.transaction(() => {
          for (const w of batch) {
            try {
              outcomes.push({ ok: true, value: each(w) });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })();
      } catch (error) {
        for (const w of batch) w.reject(error);
        return;
      }
      batch.forEach((w, i) => {
        const o = outcomes[i] as (typeof outcomes)[number];
        if (o.ok) w.resolve(o.value);
        else w.reject(o.error);
      });
    };
    queue = (write) =>
      new Promise((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ write, resolve, reject });
      });
    groupCommits.set(db, queue);
  }
  return queue as <T>(write: () => T) => Promise<T>;
}

/**
 * `groupCommit`: the writes queued in one turn of the event loop share one transaction, each promise
 * settles only after the commit (another connection sees the row by then), a write that throws is
 * undone alone, and a closed database rejects rather than losing writes silently.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type Db, groupCommit, openDatabase } from '../src/db.ts';

const dirs: string[] = [];
const open: Database.Database[] = [];
afterEach(() => {
  for (const d of open.splice(0)) if (d.open) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function files(): { db: Db; reader: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'xaa-group-commit-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'app.db'), ['CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT)']);
  const reader = new Database(join(dir, 'app.db'), { readonly: true });
  open.push(db, reader);
  return { db, reader };
}

const count = (reader: Database.Database) => (reader.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

describe('groupCommit', () => {
  it('one transaction per turn: a second write of the turn runs before the first is visible elsewhere', async () => {
    const { db, reader } = files();
    const commit = groupCommit(db);
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const seenByOthers: number[] = [];
    const a = commit(() => insert.run('a', '1').changes);
    const b = commit(() => {
      seenByOthers.push(count(reader));
      return insert.run('b', '2').changes;
    });
    expect(count(reader)).toBe(0); // nothing runs before the turn ends
    expect(await Promise.all([a, b])).toEqual([1, 1]);
    expect(seenByOthers).toEqual([0]); // 'a' was not committed yet when 'b' ran: one shared transaction
    expect(count(reader)).toBe(2); // both committed when the promises settled
  });

  it('settles after the commit: the row is on disk for another connection', async () => {
    const { db, reader } = files();
    const commit = groupCommit(db);
    await commit(() => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('k', 'v'));
    expect(reader.prepare('SELECT v FROM t WHERE k = ?').get('k')).toEqual({ v: 'v' });
  });

  it('keeps the order: of two inserts of one key in a turn, the first wins', async () => {
    const { db } = files();
    const commit = groupCommit(db);
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?) ON CONFLICT DO NOTHING');
    const results = await Promise.all([commit(() => insert.run('jti', 'first').changes), commit(() => insert.run('jti', 'second').changes)]);
    expect(results).toEqual([1, 0]);
    expect(db.prepare('SELECT v FROM t WHERE k = ?').get('jti')).toEqual({ v: 'first' });
  });

  it('a write that throws is undone alone; the others commit', async () => {
    const { db, reader } = files();
    const commit = groupCommit(db);
    const insert = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
    const ok1 = commit(() => insert.run('x', '1'));
    const bad = commit(() => {
      insert.run('y', 'half-done');
      throw new Error('refused');
    });
    const ok2 = commit(() => insert.run('z', '3'));
    await expect(bad).rejects.toThrow('refused');
    await Promise.all([ok1, ok2]);
    expect(reader.prepare('SELECT k FROM t ORDER BY k').all()).toEqual([{ k: 'x' }, { k: 'z' }]);
  });

  it('a database closed before the turn ends rejects every queued write', async () => {
    const { db } = files();
    const commit = groupCommit(db);
    const p = commit(() => db.prepare('INSERT INTO t (k, v) VALUES (?, ?)').run('k', 'v'));
    db.close();
    await expect(p).rejects.toThrow(/closed/);
  });

  it('one queue per database, shared by every caller of it', () => {
    const { db } = files();
    expect(groupCommit(db)).toBe(groupCommit(db));
  });
});

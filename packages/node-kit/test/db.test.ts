import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

describe('openDatabase file mode (keys and client secrets inside)', () => {
  it('creates the database and its -wal/-shm files owner-only (0600), whatever the umask', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xaa-db-'));
    dirs.push(dir);
    const path = join(dir, 'sub', 'app.db');
    const previous = process.umask(0o022);
    try {
      const db = openDatabase(path, ['CREATE TABLE t (x TEXT)']);
      db.prepare('INSERT INTO t (x) VALUES (?)').run('secret');
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      expect(mode(`${path}-shm`)).toBe(0o600);
      db.close();
    } finally {
      process.umask(previous);
    }
  });

  it('narrows an existing world-readable database (and its WAL) to 0600 when opening it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xaa-db-'));
    dirs.push(dir);
    const path = join(dir, 'app.db');
    openDatabase(path, ['CREATE TABLE t (x TEXT)']).close();
    chmodSync(path, 0o644);
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o644);
    const db = openDatabase(path, ['CREATE TABLE t (x TEXT)']);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    db.close();
  });
});

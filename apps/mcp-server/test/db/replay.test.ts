/**
 * Single-use ID-JAGs (EMA §7.4.2) with group commit: of two presentations of one ID-JAG at once
 * only the first wins, `consume` resolves only once the use is committed (another connection sees
 * it), one server's use does not burn another server's ID-JAG, and a use survives a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@xaa/node-kit';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JtiReplayStore } from '../../src/db/replay.ts';
import { migrations } from '../../src/db/schema.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const now = () => 1_700_000_000;
const grant = { iss: 'https://idp.example', jti: 'jti-1', exp: 1_700_000_300 };

function file(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xaa-replay-'));
  dirs.push(dir);
  return join(dir, 'resource.db');
}

describe('JtiReplayStore', () => {
  it('two presentations in the same moment: exactly one wins', async () => {
    const db = openDatabase(file(), migrations);
    const store = new JtiReplayStore(db, 'tasks', now);
    const results = await Promise.all([store.consume(grant), store.consume(grant), store.consume(grant)]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(results[0]).toBe(true);
    expect(await store.consume(grant)).toBe(false);
    db.close();
  });

  it('resolves once the use is committed: another connection already sees it', async () => {
    const path = file();
    const db = openDatabase(path, migrations);
    const reader = new Database(path, { readonly: true });
    const store = new JtiReplayStore(db, 'tasks', now);
    expect(await store.consume(grant)).toBe(true);
    expect(reader.prepare('SELECT server, jti FROM id_jag_jti').all()).toEqual([{ server: 'tasks', jti: 'jti-1' }]);
    reader.close();
    db.close();
  });

  it('an ID-JAG used at one server is still fresh at another (the key is server, iss, jti)', async () => {
    const db = openDatabase(file(), migrations);
    const [tasks, docs] = [new JtiReplayStore(db, 'tasks', now), new JtiReplayStore(db, 'docs', now)];
    expect(await Promise.all([tasks.consume(grant), docs.consume(grant)])).toEqual([true, true]);
    expect(await Promise.all([tasks.consume(grant), docs.consume(grant)])).toEqual([false, false]);
    db.close();
  });

  it('a use survives a restart', async () => {
    const path = file();
    const first = openDatabase(path, migrations);
    expect(await new JtiReplayStore(first, 'tasks', now).consume(grant)).toBe(true);
    first.close();
    const again = openDatabase(path, migrations);
    expect(await new JtiReplayStore(again, 'tasks', now).consume(grant)).toBe(false);
    again.close();
  });
});

/** The audit trail: token-free rows, filters, retention, CSV that a spreadsheet cannot execute. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowLog, openDatabase } from '@xaa/node-kit';
import type { FlowEvent } from '@xaa/protocol';
import Database from 'better-sqlite3';
import { afterAll, expect, it, vi } from 'vitest';
import { AuditLog, auditCsv } from '../../src/audit.ts';
import { migrations } from '../../src/db/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'xaa-idp-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (i: number, over: Partial<FlowEvent> = {}): FlowEvent => ({
  id: `e${String(i).padStart(4, '0')}`,
  time: new Date(1_800_000_000_000 + i * 1000).toISOString(),
  traceId: 'a'.repeat(32),
  party: 'idp',
  step: 'exchange.decision',
  outcome: i % 2 ? 'denied' : 'ok',
  summary: `event ${i}`,
  subject: { user: i % 2 ? 'bob' : 'alice', client: 'acme-agent', server: 'tasks' },
  decision: { effect: i % 2 ? 'deny' : 'allow', rule: 'connection:c1', reasons: [], grantedScopes: [] },
  ...over,
});

it('stores, filters, pages and prunes on its own connection', () => {
  const db = openDatabase(join(dir, 'idp.db'), migrations);
  const audit = new AuditLog(db);
  for (let i = 0; i < 10; i++) audit.append(event(i));
  expect(audit.search({}).map((e) => e.id)[0]).toBe('e0009');
  expect(audit.search({ user: 'bob' })).toHaveLength(5);
  expect(audit.search({ outcome: 'ok', limit: 2 }).map((e) => e.id)).toEqual(['e0008', 'e0006']);
  expect(audit.search({ before: 'e0003' }).map((e) => e.id)).toEqual(['e0002', 'e0001', 'e0000']);
  expect(audit.search({ q: '100%' })).toHaveLength(0);
  expect(audit.search({ q: 'event 7' })).toHaveLength(1);
  expect(audit.prune(4)).toBe(6);
  expect(audit.search({}).map((e) => e.id)).toEqual(['e0009', 'e0008', 'e0007', 'e0006']);
  audit.close();
  db.close();
});

it('CSV neutralises formula cells and quotes separators', () => {
  const csv = auditCsv([event(1, { summary: '=HYPERLINK("http://evil")', subject: { user: 'a,b' } })]);
  const row = csv.split('\n')[1] as string;
  expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
  expect(row).toContain('"a,b"');
});

it('commits concurrent decisions together and tells each waiter once its row is on disk (group commit)', async () => {
  const db = openDatabase(join(dir, 'group.db'), migrations);
  const audit = new AuditLog(db);
  // What another connection (another process, after a kill -9) would see.
  const reader = new Database(join(dir, 'group.db'), { readonly: true });
  const rows = () => (reader.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
  audit.append(event(1));
  audit.append(event(2, { step: 'exchange.issued', outcome: 'ok' }));
  const first = audit.whenWritten();
  audit.append(event(3));
  const second = audit.whenWritten();
  expect(rows()).toBe(0);
  await Promise.all([first, second]);
  expect(rows()).toBe(3);
  // Nothing queued: nothing to wait for.
  await audit.whenWritten();
  // An admin change is on disk when append returns, with whatever was queued before it.
  audit.append(event(4));
  audit.append(event(5, { step: 'admin.change', outcome: 'ok' }));
  expect(rows()).toBe(5);
  audit.close();
  reader.close();
  db.close();
});

it('gives back each event as it was appended, and reads rows stored with the whole event as well', () => {
  const db = openDatabase(join(dir, 'roundtrip.db'), migrations);
  const audit = new AuditLog(db);
  const issued = event(1, {
    step: 'exchange.issued',
    outcome: 'ok',
    summary: 'ID-JAG for alice → Tasks',
    tokens: [{ role: 'id_jag', header: { alg: 'ES256' }, claims: { jti: 'j1', exp: 2 }, hash: 'h' }],
    http: { method: 'POST', url: 'http://idp/token', status: 200 },
    data: { jti: 'j1', exp: 2 },
  });
  audit.append(issued);
  expect(audit.search({ jti: 'j1' })).toEqual([issued]);
  // A row written before the record left out the column fields.
  const old = event(2, { summary: 'old row' });
  db.prepare(
    'INSERT INTO audit (id, time, trace_id, step, outcome, summary, user, client, server, rule, jti, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(old.id, old.time, old.traceId, old.step, old.outcome, old.summary, 'alice', 'acme-agent', 'tasks', 'connection:c1', null, JSON.stringify(old));
  expect(audit.search({ q: 'old row' })).toEqual([old]);
  expect(audit.outstandingIdJags('bob', 1)).toEqual({ count: 1, expires_at: 2 });
  audit.close();
  db.close();
});

it('finds events by time through their ids, bounds included, with no time index', () => {
  const db = openDatabase(join(dir, 'time.db'), migrations);
  expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit' AND name = 'audit_time'").get()).toBeUndefined();
  const audit = new AuditLog(db);
  const log = new FlowLog({ persist: (e) => audit.append(e) });
  const t0 = Date.parse('2027-03-01T10:00:00.000Z');
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    for (let i = 0; i < 6; i++) {
      vi.setSystemTime(t0 + i * 500);
      log.emit({ traceId: 'b'.repeat(32), party: 'idp', step: 'exchange.issued', outcome: 'ok', summary: `at ${i}` });
    }
  } finally {
    vi.useRealTimers();
  }
  const at = (ms: number) => new Date(t0 + ms).toISOString();
  const summaries = (q: { from?: string; to?: string }) =>
    audit
      .search(q)
      .map((e) => e.summary)
      .reverse();
  expect(summaries({ from: at(500), to: at(1500) })).toEqual(['at 1', 'at 2', 'at 3']);
  expect(summaries({ from: at(501), to: at(1499) })).toEqual(['at 2']);
  expect(summaries({ from: at(2500) })).toEqual(['at 5']);
  expect(summaries({ to: at(0) })).toEqual(['at 0']);
  expect(summaries({ from: at(2501) })).toEqual([]);
  // The same instants written with another offset, or without milliseconds, select the same rows.
  expect(summaries({ from: '2027-03-01T11:00:00.500+01:00', to: '2027-03-01T05:00:01.5-05:00' })).toEqual(['at 1', 'at 2', 'at 3']);
  expect(summaries({ from: '2027-03-01T10:00:01Z' })).toEqual(['at 2', 'at 3', 'at 4', 'at 5']);
  expect(summaries({ to: '2027-03-01T10:00:01Z' })).toEqual(['at 0', 'at 1', 'at 2']);
  expect(summaries({ from: '2027-03-01T12:00:02+02:00', to: '2027-03-01T10:00:02.000Z' })).toEqual(['at 4']);
  expect(() => audit.search({ from: 'yesterday' })).toThrow(RangeError);
  audit.close();
  db.close();
});

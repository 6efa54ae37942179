/** The audit trail: token-free rows, filters, retention, CSV that a spreadsheet cannot execute. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@xaa/node-kit';
import type { FlowEvent } from '@xaa/protocol';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
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

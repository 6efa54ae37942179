import { describe, expect, it } from 'vitest';
import { sampleTrace } from '../../src/components/LiveFlows/LiveFlows.fixtures.ts';
import { auditCsv, matchesAudit, tokenFree } from '../../src/lib/audit-export.ts';

describe('audit export', () => {
  const events = sampleTrace({ index: 0, start: 1_000_000 });

  it('writes RFC 4180 CSV with a header row and one row per event', () => {
    const csv = auditCsv(events);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('time,trace_id,party,step,outcome,user,client,server,rule,jti,error,summary');
    expect(lines).toHaveLength(events.length + 1);
  });

  it('quotes commas, quotes and newlines, and defuses spreadsheet formulas', () => {
    const csv = auditCsv([
      { ...(events[0] as (typeof events)[number]), summary: 'a, "b"\nc' },
      { ...(events[0] as (typeof events)[number]), summary: '=HYPERLINK("x")' },
    ]);
    expect(csv).toContain('"a, ""b""\nc"');
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('drops every compact token (no usable token leaves the console)', () => {
    expect(JSON.stringify(events)).toContain('compact');
    expect(JSON.stringify(tokenFree(events))).not.toContain('compact');
  });

  it('filters by step, outcome and text', () => {
    expect(events.filter((e) => matchesAudit(e, { step: 'bearer.check' }))).toHaveLength(3);
    expect(events.filter((e) => matchesAudit(e, { q: 'ID-JAG issued' }))).toHaveLength(1);
    expect(events.filter((e) => matchesAudit(e, { outcome: 'denied' }))).toHaveLength(0);
  });
});

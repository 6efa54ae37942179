/** Report renderers: JUnit XML that parses and counts right, a table that shows every case, a score. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../src/report/junit.ts';
import { renderTable } from '../../src/report/table.ts';
import { buildReport, type CaseResult, formatAnswer, summarize } from '../../src/report/types.ts';

const base = {
  group: 'signature',
  level: 'must' as const,
  mutated: 'alg none',
  expected: '400 invalid_grant',
  why: 'forgery',
  specRef: 'EMA §7.4.1',
  durationMs: 12,
};
const cases: CaseResult[] = [
  { ...base, id: 'a.pass', title: 'passes', outcome: 'pass', answered: '400 invalid_grant' },
  { ...base, id: 'b.fail', title: 'fails <&> "quoted"', outcome: 'fail', answered: '200 Bearer', reason: 'accepted \u001b[31mforged\u001b[0m token\u0000' },
  { ...base, id: 'c.warn', title: 'warns', level: 'should', outcome: 'warn', answered: '200', reason: 'should not' },
  { ...base, id: 'd.error', title: 'errors', outcome: 'error', answered: 'no answer', reason: 'ECONNREFUSED' },
  { ...base, id: 'e.skip', title: 'skipped', outcome: 'skip', answered: '(no request)', reason: 'n/a' },
];
const report = buildReport({
  kind: 'as',
  title: 'AS scorecard for http://as.test',
  target: { issuer: 'http://as.test' },
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1234,
  cases,
  notes: ['n'],
});

describe('summary', () => {
  it('counts outcomes; the score is passed over judged cases, skips excluded', () => {
    expect(report.summary).toEqual({ total: 5, passed: 1, failed: 1, warnings: 1, errors: 1, skipped: 1, score: 25 });
    expect(report.ok).toBe(false);
  });
  it('a run with only passes and warnings is ok; an empty run is not', () => {
    expect(buildReport({ ...report, cases: [cases[0] as CaseResult, cases[2] as CaseResult] }).ok).toBe(true);
    expect(buildReport({ ...report, cases: [] }).ok).toBe(false);
    expect(summarize([]).score).toBe(0);
  });
  it('formats answers without tokens', () => {
    expect(formatAnswer({ status: 400, error: 'invalid_grant', error_description: 'expired' })).toBe('400 invalid_grant: expired');
    expect(formatAnswer({ status: 200, token_type: 'Bearer', scope: 'a b', refresh_token: true })).toBe('200 Bearer scope="a b" +refresh_token');
    expect(formatAnswer({ status: 0, transport_error: 'ECONNREFUSED' })).toBe('no answer: ECONNREFUSED');
  });
});

describe('JUnit XML', () => {
  const xml = renderJunit(report);
  it('is well-formed XML without control characters', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml.includes('\u001b') || xml.includes('\u0000')).toBe(false);
  });
  it('maps fail → failure, error → error, skip → skipped, with counts on the suite', () => {
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suite = doc.testsuites.testsuite;
    expect(suite).toMatchObject({ name: 'AS scorecard for http://as.test', tests: '5', failures: '1', errors: '1', skipped: '1' });
    const byName = Object.fromEntries(suite.testcase.map((t: { name: string }) => [t.name.split(':')[0], t]));
    expect(byName['b.fail'].failure.message).toBe('accepted forged token');
    expect(byName['b.fail'].name).toBe('b.fail: fails <&> "quoted"');
    expect(byName['d.error'].error).toBeDefined();
    expect(byName['e.skip'].skipped).toBeDefined();
    expect(byName['a.pass'].failure).toBeUndefined();
    expect(byName['c.warn'].failure).toBeUndefined();
    expect(byName['a.pass'].classname).toBe('xaa.as.signature');
  });
});

describe('table', () => {
  it('lists every case and ends with the score', () => {
    const text = renderTable(report);
    for (const c of cases) expect(text).toContain(c.id);
    expect(text).toContain('why it matters: forgery');
    expect(text.trim().split('\n').at(-1)).toMatch(/^FAILED\s+score 25%/);
    expect(text.includes('\u001b')).toBe(false);
    expect(renderTable(report, { color: true }).includes('\u001b[31m')).toBe(true);
  });
});

import type { CaseResult, ScorecardReport } from '../../api/scenarios.ts';

const base = { group: 'signature', level: 'must' as const, durationMs: 3 };

export const passing: CaseResult = {
  ...base,
  id: 'signature.alg-none',
  title: 'alg none is refused',
  outcome: 'pass',
  mutated: 'header alg = none, signature removed',
  expected: '400 invalid_grant',
  answered: '400 invalid_grant: The signing algorithm "none" is not accepted',
  why: 'An unsigned token proves nothing.',
  specRef: 'EMA §7.4.1, RFC 8725 §3.1',
};

export const failing: CaseResult = {
  ...base,
  id: 'replay.jti',
  group: 'replay',
  title: 'The same ID-JAG presented twice',
  outcome: 'fail',
  mutated: 'a valid ID-JAG presented a second time (same jti)',
  expected: 'first 200, then 400 invalid_grant',
  answered: '200 Bearer → 200 Bearer',
  reason: 'The AS redeemed the same ID-JAG twice.',
  why: 'ID-JAGs are single-use.',
  specRef: 'EMA §7.4.2',
};

export const warning: CaseResult = { ...passing, id: 'audience.trailing-slash', level: 'should', outcome: 'warn', reason: 'Accepted a trailing slash.' };

export function report(cases: CaseResult[], score: number, ok: boolean): ScorecardReport {
  const count = (o: string) => cases.filter((c) => c.outcome === o).length;
  return {
    kind: 'as',
    title: 'AS scorecard for http://localhost:4101',
    target: {
      issuer: 'http://localhost:4101',
      resource: 'http://localhost:4101/mcp',
      client_id: 'acme-agent-at-tasks',
      idp: 'http://localhost:4000',
      user: 'alice',
    },
    startedAt: '2027-01-15T08:00:00.000Z',
    durationMs: 1234,
    ok,
    summary: {
      total: cases.length,
      passed: count('pass'),
      failed: count('fail'),
      warnings: count('warn'),
      errors: count('error'),
      skipped: count('skip'),
      score,
    },
    cases,
    notes: ['token endpoint http://localhost:4101/token (from http://localhost:4101/.well-known/oauth-authorization-server)'],
  };
}

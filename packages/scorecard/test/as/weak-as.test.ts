/**
 * Every AS scorecard case can fail: a strict AS (verifyIdJag, every check on) scores 100%, and each
 * deliberately weakened AS — one check disabled in verifyIdJag, or a hand-written verifier with one
 * hole — is caught by exactly the matching cases. ID-JAGs come from the real IdP (in-process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AS_CASES } from '../../src/as/cases.ts';
import { runAsScorecard } from '../../src/as/run.ts';
import type { ScorecardReport } from '../../src/report/types.ts';
import { startWeakAs, WEAKNESSES, type Weakness } from '../fixtures/weak-as.ts';
import { startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

async function scorecard(weakness: Weakness, cases?: string[]): Promise<ScorecardReport> {
  const as = await startWeakAs({
    weakness,
    idpIssuer: t.idp.issuer,
    clients: { 'agent-at-weak': 'agent-secret', 'chat-at-weak': 'chat-secret' },
    publicClients: ['public-at-weak'],
    scopes: ['weak.read', 'weak.write'],
  });
  try {
    return await runAsScorecard({
      issuer: as.issuer,
      resource: as.resource,
      clientId: 'agent-at-weak',
      clientSecret: 'agent-secret',
      otherClientId: 'chat-at-weak',
      publicClientId: 'public-at-weak',
      idp: t.admin,
      ...(cases ? { cases } : {}),
    });
  } finally {
    await as.close();
  }
}

const notPassed = (r: ScorecardReport) => r.cases.filter((c) => c.outcome !== 'pass').map((c) => `${c.id}:${c.outcome}`);

/** weakness → the cases that must catch it (outcome fail, or warn for SHOULD cases), and nothing else in those groups. */
const CAUGHT_BY: Record<Exclude<Weakness, 'none' | 'reject-all'>, string[]> = {
  'skip-signature': ['signature.foreign-key:fail', 'signature.alg-none:fail', 'signature.hs256-public-key:fail', 'signature.unknown-kid:fail'],
  'alg-none': ['signature.alg-none:fail'],
  'hs256-public-key': ['signature.hs256-public-key:fail'],
  'trust-embedded-jwk': ['signature.unknown-kid:fail'],
  'any-issuer': ['issuer.untrusted:fail'],
  'assume-issuer': ['claims.missing-iss:fail'],
  'ignore-typ': ['header.typ-other:fail', 'header.typ-near-miss:fail'],
  'exact-typ': ['header.typ-media-type:warn'],
  'skip-aud': ['audience.wrong:fail', 'audience.trailing-slash:warn'],
  'aud-array': ['audience.array:fail'],
  'accept-expired': ['time.expired:fail'],
  'accept-future-iat': ['time.iat-future:fail'],
  'ignore-nbf': ['time.nbf-future:fail'],
  'no-required-claims': [
    'claims.missing-sub:fail',
    'claims.missing-aud:fail',
    'claims.missing-client-id:fail',
    'claims.missing-jti:fail',
    'claims.missing-iat:fail',
    'claims.missing-exp:fail',
  ],
  'skip-client-id': ['binding.client-id:fail'],
  'allow-replay': ['replay.jti:fail'],
  'skip-resource': ['resource.foreign:fail', 'resource.request-mismatch:warn'],
  'grant-requested-scope': ['scope.escalation:fail'],
  'skip-scope-registry': ['scope.unregistered:warn'],
  'no-client-auth': ['binding.client-id:fail', 'client.no-auth:fail', 'client.wrong-secret:fail', 'client.public:fail'],
  'allow-public-client': ['client.public:fail'],
  'no-metadata-profile': ['metadata.grant-profile:warn'],
  'metadata-no-jwt-bearer': ['metadata.jwt-bearer:fail'],
  'refresh-token': ['response.no-refresh-token:warn'],
  'no-scope-in-response': ['response.scope:fail'],
  'no-resource-in-response': ['response.resource:warn'],
  cacheable: ['response.no-store:fail', 'errors.no-store:warn'],
  'crash-on-garbage': ['request.no-assertion:fail', 'request.not-a-jwt:fail'],
  'dpop-ignore-cnf': ['dpop.bound-no-proof:fail', 'dpop.other-key:fail'],
  'dpop-skip-htm': ['dpop.wrong-htm:fail'],
  'dpop-skip-htu': ['dpop.wrong-htu:fail'],
  'dpop-skip-iat': ['dpop.stale-iat:fail'],
  'dpop-no-jti-cache': ['dpop.replayed-jti:warn'],
  'dpop-bearer-only': ['dpop.bound-valid:warn', 'dpop.resource-missing-ath:skip'],
  'dpop-rs-skip-ath': ['dpop.resource-missing-ath:fail'],
  'no-dpop-metadata': [
    'dpop.metadata-algs:warn',
    'dpop.bound-valid:skip',
    'dpop.other-key:skip',
    'dpop.wrong-htm:skip',
    'dpop.wrong-htu:skip',
    'dpop.stale-iat:skip',
    'dpop.replayed-jti:skip',
    'dpop.resource-missing-ath:skip',
  ],
};

describe('the strict AS (verifyIdJag with every check on)', () => {
  it('scores 100% on every case', async () => {
    const r = await scorecard('none');
    expect(notPassed(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.summary.score).toBe(100);
    // every catalogue case ran (plus the aggregate errors.no-store)
    expect(r.cases.map((c) => c.id)).toEqual([...AS_CASES.map((c) => c.id), 'errors.no-store']);
  });
});

describe('weakened ASes are caught by the matching cases', () => {
  it.each(Object.entries(CAUGHT_BY))('%s', async (weakness, expected) => {
    const groups = [...new Set(expected.map((e) => e.split('.')[0] as string))];
    // errors.no-store reads every error response: run the whole catalogue for it.
    const r = await scorecard(weakness as Weakness, groups.includes('errors') ? undefined : groups);
    expect(notPassed(r).sort()).toEqual([...expected].sort());
    if (expected.some((e) => e.endsWith(':fail'))) expect(r.ok).toBe(false);
    for (const c of r.cases.filter((x) => x.outcome === 'fail')) {
      expect(c.reason, c.id).toBeTruthy();
      expect(c.answered).not.toBe('');
    }
  });

  it('every case in the catalogue is shown able to fail by some weakened AS', () => {
    const caught = new Set(Object.values(CAUGHT_BY).flatMap((ids) => ids.map((i) => i.split(':')[0])));
    caught.add('baseline.valid');
    expect(AS_CASES.map((c) => c.id).filter((id) => !caught.has(id))).toEqual([]);
    expect(WEAKNESSES.filter((w) => w !== 'none' && w !== 'reject-all' && !(w in CAUGHT_BY))).toEqual([]);
  });

  it('an AS that refuses everything fails the valid case, and its rejections count for nothing', async () => {
    const r = await scorecard('reject-all', ['signature', 'replay', 'response']);
    const byId = Object.fromEntries(r.cases.map((c) => [c.id, c]));
    expect(byId['baseline.valid']?.outcome).toBe('fail');
    expect(byId['baseline.valid']?.reason).toContain('refused a valid ID-JAG');
    expect(byId['signature.alg-none']?.outcome).toBe('error');
    expect(byId['replay.jti']?.outcome).toBe('error');
    expect(byId['response.scope']?.outcome).toBe('error');
    expect(r.ok).toBe(false);
  });
});

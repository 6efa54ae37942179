/**
 * Every client-scorecard check can fail: a small hand-written client passes them all when it
 * behaves, and each deliberate misbehaviour is caught by the matching check.
 */
import { ssoLogin } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLEAN_CHECKS } from '../../src/client/checks.ts';
import { type ClientScorecardOptions, runClientScorecard } from '../../src/client/run.ts';
import type { ScorecardReport } from '../../src/report/types.ts';
import { badClient, type Misbehaviour } from '../fixtures/bad-client.ts';
import { type Stack, startStack } from '../support/stack.ts';

let s: Stack;
let idToken = '';
beforeAll(async () => {
  s = await startStack({ servers: ['tasks', 'docs'] });
  const app = s.topology.clients.find((c) => c.name === 'acme-agent')!;
  const login = await ssoLogin({
    issuer: s.idp.issuer,
    clientId: app.idp.client_id,
    clientSecret: app.idp.client_secret,
    redirectUri: app.idp.redirect_uris[0]!,
    username: 'alice',
    password: 'demo',
  });
  idToken = login.tokens.id_token;
});
afterAll(async () => s?.close());

function scorecard(misbehaviour: Misbehaviour, faults: ClientScorecardOptions['faults'] = [], dpop = false): Promise<ScorecardReport> {
  return runClientScorecard({
    dpop,
    idp: s.admin,
    run: badClient({ topology: s.topology, idpIssuer: s.idp.issuer, idToken: () => idToken, misbehaviour }),
    client: 'acme-agent',
    faults,
    slowMs: 1200,
  });
}

const outcomes = (r: ScorecardReport) => Object.fromEntries(r.cases.map((c) => [c.id, c.outcome]));

describe('the hand-written client', () => {
  it('passes every check when it behaves (clean run and every fault)', async () => {
    const r = await scorecard('none', undefined);
    expect(r.cases.filter((c) => c.outcome !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
  }, 60_000);
});

describe('each misbehaviour is caught by its check', () => {
  const CAUGHT: Array<[Misbehaviour, string, ClientScorecardOptions['faults']?]> = [
    ['no-resource', CLEAN_CHECKS.resource.id],
    ['audience-slash', CLEAN_CHECKS.audience.id],
    ['wrong-token-type', CLEAN_CHECKS.params.id],
    ['idp-creds-at-as', CLEAN_CHECKS.asAuth.id],
    ['as-creds-at-idp', CLEAN_CHECKS.idpAuth.id],
    ['reuse-id-jag', CLEAN_CHECKS.fresh.id],
    ['token-in-query', CLEAN_CHECKS.header.id],
    ['wrong-as', CLEAN_CHECKS.rightAs.id],
    ['loop', 'fault.typ', ['typ']],
    ['loop', 'fault.access_denied', ['access_denied']],
    ['loop', 'fault.server_error', ['server_error']],
    ['claims-success', 'fault.expired', ['expired']],
    ['claims-success', 'fault.unknown_kid', ['unknown_kid']],
    ['claims-success', 'fault.missing_jti', ['missing_jti']],
    ['claims-success', 'fault.aud', ['aud']],
    ['impatient', 'fault.slow', ['slow']],
  ];
  it.each(CAUGHT)(
    '%s → %s fails',
    async (misbehaviour, check, faults) => {
      const r = await scorecard(misbehaviour, faults ?? []);
      const c = r.cases.find((x) => x.id === check);
      expect(c?.outcome, JSON.stringify(c)).toBe('fail');
      expect(c?.reason).toBeTruthy();
      expect(r.ok).toBe(false);
    },
    60_000,
  );

  it('the catalogue has no check without a misbehaviour that fails it (besides run.clean)', () => {
    const caught = new Set(CAUGHT.map(([, id]) => id));
    const all = [
      ...Object.values(CLEAN_CHECKS).map((c) => c.id),
      'fault.typ',
      'fault.aud',
      'fault.expired',
      'fault.missing_jti',
      'fault.unknown_kid',
      'fault.slow',
      'fault.server_error',
      'fault.access_denied',
    ];
    expect(all.filter((id) => id !== 'run.clean' && !caught.has(id))).toEqual([]);
  });

  it('a broken client fails run.clean, and checks with nothing to read say so instead of passing', async () => {
    const r = await scorecard('audience-slash');
    const o = outcomes(r);
    expect(o['run.clean']).toBe('fail');
    expect(o['bearer.fresh-id-jag']).toBe('error');
    expect(o['mcp.bearer-header']).toBe('error');
  });

  it.each([
    ['none', 'dpop.token-proof', 'fail'],
    ['none', 'dpop.exchange-proof', 'warn'],
    ['dpop-other-key', 'dpop.token-proof', 'fail'],
    ['dpop-no-ath', 'dpop.mcp-proof', 'fail'],
    ['dpop-as-only', 'dpop.exchange-proof', 'warn'],
  ] as const)(
    'when the playground asks for DPoP: %s → %s %s (RFC 9449)',
    async (misbehaviour, check, outcome) => {
      const r = await scorecard(misbehaviour, [], true);
      const c = r.cases.find((x) => x.id === check);
      expect(c?.outcome, JSON.stringify(c)).toBe(outcome);
      expect(c?.reason).toBeTruthy();
    },
    60_000,
  );

  it('a client with correct proofs passes every DPoP check, and the missing-ath refusal names its check', async () => {
    const good = outcomes(await scorecard('dpop-as-only', [], true));
    expect([good['dpop.token-proof'], good['dpop.mcp-proof']]).toEqual(['pass', 'pass']);
    const noAth = (await scorecard('dpop-no-ath', [], true)).cases.find((x) => x.id === 'dpop.mcp-proof');
    expect(noAth?.reason).toContain('RFC 9449 §4.3 step 12');
  }, 60_000);
});

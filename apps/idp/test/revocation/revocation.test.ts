/**
 * Central revocation (docs/decisions.md §7): disabling a user or revoking their sessions makes every later
 * exchange fail at once — ID tokens of ended sessions and refresh tokens alike.
 */
import { TOKEN_TYPE_REFRESH_TOKEN } from '@xaa/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsSince, lastEventId, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
let tasks: ReturnType<typeof serverOf>;
let docs: ReturnType<typeof serverOf>;
beforeAll(async () => {
  t = await startTestIdp();
  tasks = serverOf(t.topology, 'tasks');
  docs = serverOf(t.topology, 'docs');
});
afterAll(async () => t?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('revoking a user’s sessions', () => {
  it('refuses the old ID token and refresh token at once, records revocation, and allows a new sign-in later', async () => {
    const alice = await t.login('alice');
    expect((await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer })).status).toBe(200);
    expect((await t.admin('GET', '/admin/users/alice/sessions')).body.sessions.length).toBeGreaterThan(0);

    const mark = lastEventId(t.idp);
    const r = await t.admin('POST', '/admin/users/alice/revoke-sessions', { reason: 'laptop stolen' });
    expect(r.status).toBe(200);
    expect(r.body.revoked).toBeGreaterThan(0);
    // The ID-JAG issued above stays redeemable until its exp: the console's countdown.
    expect(r.body.outstanding_id_jags.count).toBe(1);
    expect(r.body.outstanding_id_jags.expires_at).toBeGreaterThan(Math.floor(Date.now() / 1000) + 200);
    expect(eventsSince(t.idp, mark, 'revocation')[0]?.summary).toContain('laptop stolen');
    expect((await t.admin('GET', '/admin/users/alice/sessions')).body.sessions).toEqual([]);

    const byIdToken = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer });
    expect(byIdToken.status).toBe(400);
    expect(byIdToken.body.error).toBe('invalid_grant');
    expect(eventsSince(t.idp, mark, 'exchange.decision').at(-1)?.decision?.rule).toBe('verify-subject-token:ERR_SUBJECT_REVOKED');
    const byRefresh = await t.exchange('acme-agent', {
      subject_token: alice.refresh_token,
      subject_token_type: TOKEN_TYPE_REFRESH_TOKEN,
      audience: tasks.issuer,
    });
    expect(byRefresh.body.error).toBe('invalid_grant');
    // The refresh token no longer refreshes either.
    const refresh = await t.token({
      grant_type: 'refresh_token',
      refresh_token: alice.refresh_token as string,
      client_id: 'acme-agent',
      client_secret: 'agent-secret',
    });
    expect(refresh.body.error).toBe('invalid_grant');

    await sleep(1100); // not_before has one-second resolution
    const again = await t.login('alice');
    expect((await t.exchange('acme-agent', { subject_token: again.id_token, audience: tasks.issuer })).status).toBe(200);
  });
});

describe('disabling a user', () => {
  it('refuses every later exchange (invalid_grant), refuses sign-in, and enabling restores sign-in', async () => {
    const dave = await t.login('dave');
    expect((await t.exchange('acme-agent', { subject_token: dave.id_token, audience: docs.issuer })).status).toBe(200);
    const mark = lastEventId(t.idp);
    expect((await t.admin('PATCH', '/admin/users/dave', { disabled: true })).status).toBe(200);
    const r = await t.exchange('acme-agent', { subject_token: dave.id_token, audience: docs.issuer });
    expect(r.body.error).toBe('invalid_grant');
    expect(eventsSince(t.idp, mark, 'exchange.decision').at(-1)?.decision?.rule).toBe('verify-subject-token:ERR_SUBJECT_USER_DISABLED');
    expect(eventsSince(t.idp, mark, 'revocation')).toHaveLength(1);
    const byRefresh = await t.exchange('acme-agent', {
      subject_token: dave.refresh_token,
      subject_token_type: TOKEN_TYPE_REFRESH_TOKEN,
      audience: docs.issuer,
    });
    expect(byRefresh.body.error).toBe('invalid_grant');
    await expect(t.login('dave')).rejects.toMatchObject({ status: 401 });
    // The simulator names the policy rule for a disabled user.
    const sim = await t.admin('POST', '/admin/simulate', { user: 'dave', app: 'acme-agent', server: 'docs' });
    expect(sim.body.decision).toMatchObject({ effect: 'deny', rule: 'user:disabled' });

    expect((await t.admin('PATCH', '/admin/users/dave', { disabled: false })).status).toBe(200);
    await sleep(1100);
    const back = await t.login('dave');
    expect((await t.exchange('acme-agent', { subject_token: back.id_token, audience: docs.issuer })).status).toBe(200);
  });
});

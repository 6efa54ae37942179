/**
 * The `verify-actor-token` step (RFC 8693 §2.1, §4.1): an `actor_token` is validated — this IdP's
 * own ID token issued to the authenticated client becomes `act.sub` in the ID-JAG — or refused with
 * invalid_request, never silently ignored.
 */
import { TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_ID_TOKEN, TOKEN_TYPE_REFRESH_TOKEN } from '@xaa/protocol';
import { createRemoteJWKSet, decodeProtectedHeader, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededUserId } from '../../src/index.ts';
import { eventsSince, lastEventId, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
let alice: { id_token: string; refresh_token?: string };
let bob: { id_token: string };
let aliceChat: { id_token: string };
let tasks: ReturnType<typeof serverOf>;

beforeAll(async () => {
  t = await startTestIdp();
  tasks = serverOf(t.topology, 'tasks');
  alice = await t.login('alice');
  bob = await t.login('bob');
  aliceChat = await t.login('alice', 'acme-chat');
});
afterAll(async () => t?.close());

function expectInvalidRequest(r: { status: number; headers: Headers; body: Record<string, unknown> }, what = '') {
  expect(r.body.error, `${what} ${JSON.stringify(r.body)}`).toBe('invalid_request');
  expect(r.status, what).toBe(400);
  expect(r.headers.get('cache-control')).toContain('no-store');
}

describe('actor_token at token exchange', () => {
  it('actor_token without actor_token_type: invalid_request (RFC 8693 §2.1)', async () => {
    expectInvalidRequest(await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, actor_token: 'x' }));
  });

  it('actor_token_type without actor_token: invalid_request (RFC 8693 §2.1)', async () => {
    expectInvalidRequest(await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, actor_token_type: TOKEN_TYPE_ID_TOKEN }));
  });

  it('attack: an actor_token that is not an IdP ID token for this client is refused, never ignored (RFC 8693 §2.1)', async () => {
    const idJag = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer });
    expect(idJag.status, JSON.stringify(idJag.body)).toBe(200);
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ sub: seededUserId('carol'), aud: 'acme-agent' })
      .setProtectedHeader({ alg: 'ES256', kid: decodeProtectedHeader(alice.id_token).kid ?? 'k' })
      .setIssuer(t.idp.issuer)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const refusals: [string, Record<string, string>, string][] = [
      ['an unsupported actor token type', { actor_token: alice.id_token, actor_token_type: TOKEN_TYPE_ACCESS_TOKEN }, 'ERR_ACTOR_TYPE_UNSUPPORTED'],
      ['a refresh token as actor', { actor_token: alice.refresh_token ?? 'x', actor_token_type: TOKEN_TYPE_REFRESH_TOKEN }, 'ERR_ACTOR_TYPE_UNSUPPORTED'],
      ['not a JWT', { actor_token: 'not-a-token', actor_token_type: TOKEN_TYPE_ID_TOKEN }, 'ERR_ACTOR_MALFORMED'],
      ['an ID token issued to another client', { actor_token: aliceChat.id_token, actor_token_type: TOKEN_TYPE_ID_TOKEN }, 'ERR_ACTOR_AUD_MISMATCH'],
      ['an ID-JAG as actor', { actor_token: String(idJag.body.access_token), actor_token_type: TOKEN_TYPE_ID_TOKEN }, 'ERR_ACTOR_NOT_ID_TOKEN'],
      ['an ID token signed by a key the IdP never had', { actor_token: forged, actor_token_type: TOKEN_TYPE_ID_TOKEN }, 'ERR_ACTOR_SIGNATURE'],
    ];
    for (const [what, actor, code] of refusals) {
      const mark = lastEventId(t.idp);
      const r = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer, ...actor });
      expect(r.status, what).toBe(400);
      expect(r.body.error, what).toBe('invalid_request');
      expect(eventsSince(t.idp, mark, 'exchange.decision').at(-1)?.decision?.rule, what).toBe(`verify-actor-token:${code}`);
      expect(eventsSince(t.idp, mark, 'exchange.issued'), what).toEqual([]);
    }
  });

  it("a valid actor_token (this IdP's ID token for the same client) becomes act.sub in the ID-JAG (RFC 8693 §4.1)", async () => {
    const ok = await t.exchange('acme-agent', {
      subject_token: alice.id_token,
      audience: tasks.issuer,
      actor_token: bob.id_token,
      actor_token_type: TOKEN_TYPE_ID_TOKEN,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const { payload } = await jwtVerify(String(ok.body.access_token), createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`)));
    expect(payload.act).toEqual({ sub: seededUserId('bob') });
    expect(payload.sub).toBe(seededUserId('alice'));
  });
});

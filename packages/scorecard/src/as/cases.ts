/**
 * The AS scorecard's case catalogue: one valid ID-JAG and the broken ones an attacker (or a buggy
 * IdP) would present, each with the answer docs/decisions.md §4 and the spec require, why it matters, and the
 * clause. Where implementations legitimately differ (RFC 7521 §5.2, docs/decisions.md §4) every documented answer
 * is accepted — e.g. a foreign `resource` may be `invalid_grant` (EMA §7.6.2) or `invalid_target`
 * (RFC 8707).
 *
 * Every case uses the same user and client as the valid one, so a rejection can only be caused by
 * what the case changed.
 */
import { GRANT_PROFILE_ID_JAG, GRANT_TYPE_JWT_BEARER, parseScope, TYP_ID_JAG } from '@xaa/protocol';
import { type AsCase, describe, expectRejection, invalidGrant, narrowScope, wideScope } from './case.ts';
import { DPOP_CASES } from './dpop-cases.ts';
import { hmacWithPublicKey, resignWithKey, unsecured } from './forge.ts';
import { isSuccess } from './token-request.ts';

export { type AsCase, type AsCaseContext, type AsTarget, expectRejection, narrowScope, type Verdict, wideScope } from './case.ts';

const FOREIGN_AS = 'https://other-as.scorecard.invalid';

const MISSING_CLAIM_WHY: Record<string, string> = {
  iss: 'Without iss the AS cannot know which IdP vouches for the user, nor whose keys to use.',
  sub: 'Without sub there is no user to issue the access token for.',
  aud: 'Without aud the grant would be good at every authorization server that trusts the IdP.',
  client_id: 'Without client_id the grant is not bound to a client, so whoever holds it can redeem it.',
  jti: 'Without jti the AS cannot enforce single use, so a copied grant can be replayed.',
  iat: 'Without iat the AS cannot bound the age of the grant.',
  exp: 'Without exp the grant never expires.',
};

export const AS_CASES: readonly AsCase[] = [
  {
    id: 'baseline.valid',
    title: 'A valid ID-JAG is redeemed',
    group: 'baseline',
    level: 'must',
    kind: 'baseline',
    mutated: (t) => `nothing: a real ID-JAG for ${t.user}, client ${t.clientId}, ${t.authMethod}`,
    expected: '200, token_type Bearer, an access token',
    why: 'Every other case uses this same user, client and grant with one thing changed; if the valid grant is refused, the rejections prove nothing.',
    specRef: 'draft-04 §4.4, RFC 7523 §2.1, RFC 6749 §5.1',
    run: async (ctx) => {
      const a = await ctx.present(await ctx.mint());
      ctx.baseline = a;
      if (a.transport_error) return { outcome: 'error', reason: `The AS did not answer: ${a.transport_error}`, answers: [a] };
      if (!isSuccess(a)) return { outcome: 'fail', reason: `The AS refused a valid ID-JAG: ${describe(a)} ${a.error_description ?? ''}`.trim(), answers: [a] };
      if (a.token_type?.toLowerCase() !== 'bearer')
        return { outcome: 'fail', reason: `token_type is ${JSON.stringify(a.token_type)}; expected "Bearer" (RFC 6750 §4).`, answers: [a] };
      return { outcome: 'pass', answers: [a] };
    },
  },
  {
    id: 'response.scope',
    title: 'The token response names the granted scope',
    group: 'response',
    level: 'must',
    kind: 'derived',
    mutated: 'nothing (reads the valid case’s response)',
    expected: 'a scope member within the ID-JAG’s scopes',
    why: 'The AS may narrow scopes; the client must learn what it was actually granted, and it must never be more than the IdP granted.',
    specRef: 'draft-04 §4.4.1, EMA §7.2.1',
    run: async (ctx) => {
      const a = ctx.baseline;
      if (!a || !isSuccess(a)) return { outcome: 'error', reason: 'The valid ID-JAG was not redeemed, so there is no response to read.', answers: [] };
      if (a.scope === undefined) return { outcome: 'fail', reason: 'The response has no scope member.', answers: [a] };
      const extra = parseScope(a.scope).filter((s) => !ctx.target.scopes.includes(s));
      if (extra.length > 0) return { outcome: 'fail', reason: `The AS granted scopes the ID-JAG did not: ${extra.join(' ')}.`, answers: [a] };
      return { outcome: 'pass', answers: [a] };
    },
  },
  {
    id: 'response.resource',
    title: 'The token response names the resource the token is restricted to',
    group: 'response',
    level: 'should',
    kind: 'derived',
    mutated: 'nothing (reads the valid case’s response)',
    expected: 'a resource member equal to the ID-JAG’s resource',
    why: 'A client must check that the token it got is for the server it asked about and discard it otherwise; it can only do that when the AS says which resource the token is for. (Editor’s builds of the draft after -04 require it; -04 servers may not send it yet.)',
    specRef: 'ID-JAG builds after -04 §4.4.2',
    run: async (ctx) => {
      const a = ctx.baseline;
      if (!a || !isSuccess(a)) return { outcome: 'error', reason: 'The valid ID-JAG was not redeemed, so there is no response to read.', answers: [] };
      if (a.resource === undefined) return { outcome: 'fail', reason: 'The response has no resource member.', answers: [a] };
      const values = typeof a.resource === 'string' ? [a.resource] : Array.isArray(a.resource) ? a.resource : [];
      if (values.length === 0 || values.some((v) => typeof v !== 'string') || new Set(values).size !== values.length)
        return { outcome: 'fail', reason: `resource is malformed: ${JSON.stringify(a.resource).slice(0, 200)}.`, answers: [a] };
      if (values.some((v) => v !== ctx.target.resource))
        return { outcome: 'fail', reason: `The response names ${values.join(', ')}, not the ID-JAG’s resource ${ctx.target.resource}.`, answers: [a] };
      return { outcome: 'pass', answers: [a] };
    },
  },
  {
    id: 'response.no-refresh-token',
    title: 'No refresh token for the jwt-bearer grant',
    group: 'response',
    level: 'should',
    kind: 'derived',
    mutated: 'nothing (reads the valid case’s response)',
    expected: 'no refresh_token',
    why: 'Without a refresh token the client must come back to the IdP, so a revoked user or connection takes effect at the next renewal.',
    specRef: 'draft-04 §4.4.3',
    run: async (ctx) => {
      const a = ctx.baseline;
      if (!a || !isSuccess(a)) return { outcome: 'error', reason: 'The valid ID-JAG was not redeemed, so there is no response to read.', answers: [] };
      return a.refresh_token ? { outcome: 'fail', reason: 'The AS returned a refresh_token.', answers: [a] } : { outcome: 'pass', answers: [a] };
    },
  },
  {
    id: 'response.no-store',
    title: 'The token response is not cacheable',
    group: 'response',
    level: 'must',
    kind: 'derived',
    mutated: 'nothing (reads the valid case’s response)',
    expected: 'Cache-Control: no-store',
    why: 'A cached token response hands the access token to whoever reads the cache.',
    specRef: 'RFC 6749 §5.1',
    run: async (ctx) => {
      const a = ctx.baseline;
      if (!a || !isSuccess(a)) return { outcome: 'error', reason: 'The valid ID-JAG was not redeemed, so there is no response to read.', answers: [] };
      return /\bno-store\b/i.test(a.cache_control ?? '')
        ? { outcome: 'pass', answers: [a] }
        : { outcome: 'fail', reason: `Cache-Control is ${JSON.stringify(a.cache_control ?? null)}.`, answers: [a] };
    },
  },

  // ── signature and keys ────────────────────────────────────────────────────────────────────────
  {
    id: 'signature.foreign-key',
    title: 'Signature by a key that is not the IdP’s',
    group: 'signature',
    level: 'must',
    mutated: 'signed with a key the scorecard generated, header kid = the IdP’s real kid',
    expected: '400 invalid_grant',
    why: 'Only the IdP’s signature proves the IdP issued the grant; an AS that does not verify it accepts grants anyone can write, for any user.',
    specRef: 'RFC 7523 §3 (9), EMA §7.4.1',
    run: async (ctx) => expectRejection(await ctx.present(await resignWithKey(await ctx.mint(), ctx.attacker)), ['invalid_grant']),
  },
  {
    id: 'signature.alg-none',
    title: 'Unsecured JWT (alg: none)',
    group: 'signature',
    level: 'must',
    mutated: 'header alg = none, signature removed, IdP kid kept',
    expected: '400 invalid_grant',
    why: 'An unsecured JWT proves nothing about who wrote it; accepting alg none means accepting forged grants.',
    specRef: 'EMA §7.4.1, RFC 8725 §3.1, RFC 7519 §6',
    run: async (ctx) => expectRejection(await ctx.present(unsecured(await ctx.mint())), ['invalid_grant']),
  },
  {
    id: 'signature.hs256-public-key',
    title: 'HS256 keyed with the IdP’s public key (algorithm confusion)',
    group: 'signature',
    level: 'must',
    mutated: 'header alg = HS256, HMAC secret = the IdP’s public key (PEM), IdP kid kept',
    expected: '400 invalid_grant',
    why: 'A verifier that takes the algorithm from the token and “the key for this kid” as the secret lets anyone holding the public JWKS forge grants.',
    specRef: 'RFC 8725 §2.1, §3.1, EMA §7.4.1',
    run: async (ctx) => {
      const real = await ctx.mint();
      const kid = JSON.parse(Buffer.from(real.split('.')[0] as string, 'base64url').toString()).kid as string;
      const jwk = ctx.idpKey(kid);
      if (!jwk) return { outcome: 'error', reason: `The IdP's JWKS has no key ${kid}.`, answers: [] };
      return expectRejection(await ctx.present(await hmacWithPublicKey(real, jwk)), ['invalid_grant']);
    },
  },
  {
    id: 'signature.unknown-kid',
    title: 'Unknown kid, key carried in the token',
    group: 'signature',
    level: 'must',
    mutated: 'signed with the scorecard’s key, kid not in the IdP’s JWKS, public key embedded as the jwk header',
    expected: '400 invalid_grant',
    why: 'Keys come only from the trusted issuer’s JWKS; a key the token brings along, or a kid the issuer never published, proves nothing.',
    specRef: 'EMA §7.4.1, RFC 8725 §3.10, RFC 7515 §4.1.3',
    run: async (ctx) =>
      expectRejection(await ctx.present(await resignWithKey(await ctx.mint(), ctx.attacker, { kid: ctx.attacker.kid, embedJwk: true })), ['invalid_grant']),
  },
  {
    id: 'issuer.untrusted',
    title: 'Issuer that is not a trusted IdP',
    group: 'issuer',
    level: 'must',
    mutated: 'iss = a rogue IdP the scorecard runs (with discovery and a JWKS), signed with its key',
    expected: '400 invalid_grant',
    why: 'The AS must accept only the IdPs it was configured to trust and pick keys from that issuer alone; otherwise any IdP an attacker stands up can mint grants.',
    specRef: 'EMA §7.4.1, RFC 7523 §3 (1)',
    run: async (ctx) => {
      const iss = ctx.rogue?.issuer ?? 'https://untrusted-idp.scorecard.invalid';
      return expectRejection(await ctx.present(await resignWithKey(await ctx.mint(), ctx.attacker, { kid: ctx.attacker.kid, claims: { iss } })), [
        'invalid_grant',
      ]);
    },
  },

  // ── JOSE header ───────────────────────────────────────────────────────────────────────────────
  // The IdP does not sign test tokens with an ID token's typ (JWT, or none) or an access token's
  // (at+jwt): the IdP itself would accept those (apps/idp/src/admin/scorecard-guard.ts). Another JWT
  // type the IdP signs, and a near miss of the ID-JAG type, test the same check.
  invalidGrant(
    'typ is logout+jwt (another JWT the IdP signs) instead of oauth-id-jag+jwt',
    'header.typ-other',
    'header',
    'header typ = "logout+jwt" (signed by the IdP)',
    { typ: 'logout+jwt' },
    'Explicit typing stops other JWTs the IdP signs (logout tokens, ID tokens, access tokens) from being replayed as grants.',
    'draft-04 §4.4.1, RFC 8725 §3.11',
  ),
  invalidGrant(
    'typ is a near miss of oauth-id-jag+jwt',
    'header.typ-near-miss',
    'header',
    'header typ = "oauth-id-jag" (signed by the IdP)',
    { typ: 'oauth-id-jag' },
    `Only a token that declares itself ${TYP_ID_JAG} may be redeemed as an ID-JAG; a prefix or substring match is not enough.`,
    'draft-04 §4.4.1, RFC 8725 §3.11',
  ),
  {
    id: 'header.typ-media-type',
    title: 'typ application/oauth-id-jag+jwt is the same type',
    group: 'header',
    level: 'should',
    mutated: `header typ = "application/${TYP_ID_JAG.toUpperCase()}" (signed by the IdP)`,
    expected: '200 with an access token',
    why: 'typ is a media type: compared case-insensitively, and the application/ prefix may be omitted. An AS that compares the string exactly refuses valid grants from IdPs that spell it in full.',
    specRef: 'RFC 7515 §4.1.9, RFC 8725 §3.11',
    run: async (ctx) => {
      const a = await ctx.present(await ctx.mint({ typ: `application/${TYP_ID_JAG.toUpperCase()}` }));
      if (a.transport_error) return { outcome: 'error', reason: `The AS did not answer: ${a.transport_error}`, answers: [a] };
      return isSuccess(a)
        ? { outcome: 'pass', answers: [a] }
        : { outcome: 'fail', reason: `The AS refused the full media type: ${describe(a)} ${a.error_description ?? ''}`.trim(), answers: [a] };
    },
  },

  // ── audience ──────────────────────────────────────────────────────────────────────────────────
  invalidGrant(
    'Audience is another authorization server',
    'audience.wrong',
    'audience',
    `aud = "${FOREIGN_AS}"`,
    { set: { aud: FOREIGN_AS } },
    'A grant meant for another AS must not work here, or a grant leaked from any AS that trusts the IdP can be redeemed everywhere.',
    'draft-04 §4.4.1, RFC 7523 §3 (3)',
  ),
  {
    id: 'audience.array',
    title: 'Audience with two values',
    group: 'audience',
    level: 'must',
    mutated: `aud = [this AS, "${FOREIGN_AS}"]`,
    expected: '400 invalid_grant',
    why: 'An ID-JAG names exactly one audience; a token that is also valid at another AS can be replayed there (generic JWT libraries accept any array containing the audience).',
    specRef: 'draft-04 §3.1, §4.4.1',
    run: async (ctx) => expectRejection(await ctx.present(await ctx.mint({ set: { aud: [ctx.target.issuer, FOREIGN_AS] } })), ['invalid_grant']),
  },
  {
    id: 'audience.trailing-slash',
    title: 'Audience differs only by a trailing slash',
    group: 'audience',
    level: 'should',
    mutated: 'aud = this issuer with a trailing slash toggled',
    expected: '400 invalid_grant',
    why: 'Issuers are compared byte for byte; tolerating variants widens what the AS accepts and hides IdP misconfiguration.',
    specRef: 'draft-04 §4.4.1, RFC 8414 §3.3, docs/decisions.md §4',
    run: async (ctx) => {
      const i = ctx.target.issuer;
      const aud = i.endsWith('/') ? i.slice(0, -1) : `${i}/`;
      return expectRejection(await ctx.present(await ctx.mint({ set: { aud } })), ['invalid_grant']);
    },
  },

  // ── time ──────────────────────────────────────────────────────────────────────────────────────
  invalidGrant(
    'Expired',
    'time.expired',
    'time',
    'iat = now − 900 s, exp = now − 600 s',
    { times: { iat: -900, exp: -600 } },
    'ID-JAGs are short-lived so that a leaked one soon stops working.',
    'RFC 7523 §3 (4), EMA §7.4.2',
  ),
  invalidGrant(
    'Issued in the future',
    'time.iat-future',
    'time',
    'iat = now + 600 s, exp = now + 900 s',
    { times: { iat: 600, exp: 900 } },
    'A token from the future means a broken clock or a forgery crafted to outlive its real lifetime.',
    'RFC 7519 §4.1.6, EMA §7.4.2',
  ),
  invalidGrant(
    'Not valid yet (nbf)',
    'time.nbf-future',
    'time',
    'nbf = now + 600 s',
    { times: { nbf: 600 } },
    'A token must not be used before its nbf.',
    'RFC 7523 §3 (5), RFC 7519 §4.1.5',
  ),

  // ── required claims ───────────────────────────────────────────────────────────────────────────
  ...(['iss', 'sub', 'aud', 'client_id', 'jti', 'iat', 'exp'] as const).map((claim) =>
    invalidGrant(
      `Required claim ${claim} missing`,
      `claims.missing-${claim.replace('_', '-')}`,
      'claims',
      `claim ${claim} removed (signed by the IdP)`,
      { remove: [claim] },
      MISSING_CLAIM_WHY[claim] as string,
      claim === 'iss' || claim === 'sub' || claim === 'iat' || claim === 'exp' ? 'draft-04 §3.1, EMA §7.4.1' : 'draft-04 §3.1, §4.4.1',
    ),
  ),

  // ── binding, replay, resource, scope ─────────────────────────────────────────────────────────
  {
    id: 'binding.client-id',
    title: 'ID-JAG issued to another client',
    group: 'binding',
    level: 'must',
    mutated: (t) => `client_id claim = "${t.otherClientId}", presented by ${t.clientId}`,
    expected: '400 invalid_grant',
    why: 'The grant is bound to the client the IdP approved; without this check a stolen ID-JAG is redeemable by any client registered at the AS.',
    specRef: 'draft-04 §4.4.1, EMA §5',
    run: async (ctx) => expectRejection(await ctx.present(await ctx.mint({ set: { client_id: ctx.target.otherClientId } })), ['invalid_grant']),
  },
  {
    id: 'replay.jti',
    title: 'The same ID-JAG presented twice',
    group: 'replay',
    level: 'must',
    mutated: 'a valid ID-JAG presented a second time (same jti)',
    expected: 'first 200, then 400 invalid_grant',
    why: 'ID-JAGs are single-use: a grant copied from a log, a proxy or a leaked request must not mint a second access token.',
    specRef: 'EMA §7.4.2, RFC 7523 §3 (7)',
    run: async (ctx) => {
      const assertion = await ctx.mint();
      const first = await ctx.present(assertion);
      if (!isSuccess(first))
        return { outcome: 'error', reason: `The first presentation was refused (${describe(first)}), so replay could not be tested.`, answers: [first] };
      const second = await ctx.present(assertion);
      const v = expectRejection(second, ['invalid_grant']);
      return { ...v, answers: [first, second], ...(v.outcome === 'fail' && isSuccess(second) ? { reason: 'The AS redeemed the same ID-JAG twice.' } : {}) };
    },
  },
  {
    id: 'resource.foreign',
    title: 'ID-JAG for another MCP server',
    group: 'resource',
    level: 'must',
    mutated: (t) => `resource claim = "${t.otherResource}"${t.sendResource ? ' (request resource parameter = this server)' : ''}`,
    expected: '400 invalid_grant or invalid_target',
    why: 'The grant, and the access token it buys, are bound to one MCP server; a grant for another server must not buy a token for this one (and the authoritative resource is the ID-JAG’s, not the request’s).',
    specRef: 'EMA §7.6.2, EMA §5.1, RFC 8707 §2',
    run: async (ctx) =>
      expectRejection(await ctx.present(await ctx.mint({ set: { resource: ctx.target.otherResource } })), ['invalid_grant', 'invalid_target']),
  },
  {
    id: 'resource.request-mismatch',
    title: 'Request resource not covered by the ID-JAG',
    group: 'resource',
    level: 'should',
    mutated: (t) => `valid ID-JAG, request resource parameter = "${t.otherResource}"`,
    expected: '400 invalid_target or invalid_grant',
    why: 'The resource parameter may only select a resource the grant covers; anything else asks for a token the IdP never approved.',
    specRef: 'RFC 8707 §2, draft-04 §4.4.1',
    run: async (ctx) => expectRejection(await ctx.present(await ctx.mint(), { resource: ctx.target.otherResource }), ['invalid_target', 'invalid_grant']),
  },
  {
    id: 'scope.escalation',
    title: 'Request asks for more scope than the ID-JAG grants',
    group: 'scope',
    level: 'must',
    mutated: (t) => `ID-JAG scope = "${narrowScope(t)}", request scope = "${wideScope(t)}"`,
    expected: '400 invalid_scope, or 200 with scope within the ID-JAG’s',
    why: 'The IdP decided the scopes under the admin’s policy; the AS must never issue more than the ID-JAG grants.',
    specRef: 'draft-04 §4.4.1, EMA §7.2.1, RFC 6749 §3.3',
    run: async (ctx) => {
      const narrow = narrowScope(ctx.target);
      const a = await ctx.present(await ctx.mint({ set: { scope: narrow } }), { scope: wideScope(ctx.target) });
      if (isSuccess(a)) {
        const granted = parseScope(a.scope ?? '');
        const extra = granted.filter((s) => !parseScope(narrow).includes(s));
        if (a.scope !== undefined && extra.length === 0) return { outcome: 'pass', answers: [a], reason: `The AS narrowed the grant to "${a.scope}".` };
        return {
          outcome: 'fail',
          reason: a.scope === undefined ? 'The AS issued a token without saying which scope.' : `The AS granted ${extra.join(' ')} beyond the ID-JAG.`,
          answers: [a],
        };
      }
      return expectRejection(a, ['invalid_scope']);
    },
  },
  {
    id: 'scope.unregistered',
    title: 'ID-JAG carries a scope the resource does not define',
    group: 'scope',
    level: 'should',
    mutated: 'scope claim + "scorecard.unregistered"',
    expected: '400 invalid_scope or invalid_grant (or 200 without that scope)',
    why: 'Scopes are validated against what the resource registers, so a misconfigured or forged grant cannot smuggle in unknown permissions.',
    specRef: 'EMA §7.6.2',
    run: async (ctx) => {
      const a = await ctx.present(await ctx.mint({ set: { scope: [...ctx.target.scopes, 'scorecard.unregistered'].join(' ') } }));
      if (isSuccess(a)) {
        if (a.scope !== undefined && !parseScope(a.scope).includes('scorecard.unregistered'))
          return { outcome: 'pass', answers: [a], reason: 'The AS dropped the unregistered scope.' };
        return { outcome: 'fail', reason: 'The AS granted a scope its resource does not define.', answers: [a] };
      }
      return expectRejection(a, ['invalid_scope', 'invalid_grant']);
    },
  },

  // ── client authentication ────────────────────────────────────────────────────────────────────
  {
    id: 'client.no-auth',
    title: 'No client authentication',
    group: 'client-auth',
    level: 'must',
    mutated: 'valid ID-JAG, no client credentials and no client_id at all',
    expected: '401 (or 400) invalid_client; 400 invalid_request accepted',
    why: 'The ID-JAG alone must never be enough: client authentication is what stops a stolen grant being redeemed.',
    // RFC 6749 §5.2 lists "no client authentication included" under invalid_client; with not even a
    // client_id some certified servers (oidc-provider among them) answer invalid_request instead.
    specRef: 'EMA §5, RFC 7523 §3.1, RFC 6749 §5.2',
    run: async (ctx) => {
      const v = expectRejection(await ctx.present(await ctx.mint(), { auth: 'none' }), ['invalid_client', 'invalid_request']);
      return v.outcome === 'pass' && v.answers[0]?.error === 'invalid_request'
        ? { ...v, reason: 'Refused with invalid_request; RFC 6749 §5.2 prefers invalid_client for a request without client authentication.' }
        : v;
    },
  },
  {
    id: 'client.wrong-secret',
    title: 'Wrong client secret',
    group: 'client-auth',
    level: 'must',
    mutated: 'valid ID-JAG, right client id, wrong secret',
    expected: '401 (or 400) invalid_client',
    why: 'Presented credentials must be validated, not just present.',
    specRef: 'RFC 6749 §2.3.1, §5.2, EMA §5',
    run: async (ctx) => expectRejection(await ctx.present(await ctx.mint(), { auth: 'wrong-secret' }), ['invalid_client']),
  },
  {
    id: 'client.public',
    title: 'Public client (client_id without a secret)',
    group: 'client-auth',
    level: 'must',
    mutated: (t) => `ID-JAG for ${t.publicClientId ?? t.clientId}, request carries only client_id=${t.publicClientId ?? t.clientId}`,
    expected: '400 unauthorized_client, or invalid_client',
    why: 'The profile is for confidential clients only: a public client cannot keep a credential, so nothing binds the grant to it.',
    specRef: 'draft-04 §9.1, docs/decisions.md §4',
    run: async (ctx) => {
      const id = ctx.target.publicClientId ?? ctx.target.clientId;
      return expectRejection(await ctx.present(await ctx.mint(undefined, { client_id: id }), { auth: 'public', publicClientId: id }), [
        'unauthorized_client',
        'invalid_client',
      ]);
    },
  },

  // ── request shape ────────────────────────────────────────────────────────────────────────────
  {
    id: 'request.no-assertion',
    title: 'jwt-bearer request without an assertion',
    group: 'request',
    level: 'must',
    mutated: 'no assertion parameter',
    expected: '400 invalid_request (or invalid_grant)',
    why: 'Malformed requests get a clear, spec-shaped error, never a 500 or a token.',
    specRef: 'RFC 7521 §4.1, RFC 6749 §5.2',
    run: async (ctx) => expectRejection(await ctx.present(undefined), ['invalid_request', 'invalid_grant']),
  },
  {
    id: 'request.not-a-jwt',
    title: 'Assertion that is not a JWT',
    group: 'request',
    level: 'must',
    mutated: 'assertion = "not-a-jwt"',
    expected: '400 invalid_grant (or invalid_request)',
    why: 'Garbage in must produce a clear refusal, never a 500 or a token.',
    specRef: 'RFC 7523 §3.1, RFC 7521 §4.1',
    run: async (ctx) => expectRejection(await ctx.present('not-a-jwt'), ['invalid_grant', 'invalid_request']),
  },

  // ── metadata ─────────────────────────────────────────────────────────────────────────────────
  {
    id: 'metadata.grant-profile',
    title: 'Metadata advertises the ID-JAG grant profile',
    group: 'metadata',
    level: 'should',
    kind: 'metadata',
    mutated: 'nothing (reads RFC 8414 metadata)',
    expected: `authorization_grant_profiles_supported contains ${GRANT_PROFILE_ID_JAG}`,
    why: 'Clients decide to use XAA from this value; without it some clients never try.',
    specRef: 'draft-04 §7.2, EMA §6',
    run: async (ctx) => {
      const v = ctx.metadata.authorization_grant_profiles_supported;
      return Array.isArray(v) && v.includes(GRANT_PROFILE_ID_JAG)
        ? { outcome: 'pass', answers: [] }
        : { outcome: 'fail', reason: `authorization_grant_profiles_supported is ${JSON.stringify(v ?? null)}.`, answers: [] };
    },
  },
  {
    id: 'metadata.jwt-bearer',
    title: 'Metadata lists the jwt-bearer grant type',
    group: 'metadata',
    level: 'must',
    kind: 'metadata',
    mutated: 'nothing (reads RFC 8414 metadata)',
    expected: `grant_types_supported contains ${GRANT_TYPE_JWT_BEARER}`,
    why: 'An AS that advertises the ID-JAG profile must also list the grant type it is redeemed with.',
    specRef: 'draft-04 §7.2, RFC 8414 §2',
    run: async (ctx) => {
      const v = ctx.metadata.grant_types_supported;
      return Array.isArray(v) && v.includes(GRANT_TYPE_JWT_BEARER)
        ? { outcome: 'pass', answers: [] }
        : { outcome: 'fail', reason: `grant_types_supported is ${JSON.stringify(v ?? null)}.`, answers: [] };
    },
  },
  // ── sender constraint (RFC 9449, draft-04 §9.8.1.2) ──────────────────────────────────────────────
  ...DPOP_CASES,
];

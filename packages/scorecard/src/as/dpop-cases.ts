/**
 * DPoP cases of the AS scorecard (RFC 9449; draft-04 §9.8.1.2): ID-JAGs bound to a key the scorecard
 * holds (`cnf.jkt`, minted by the playground IdP), presented without a proof, with another key's
 * proof, and with proofs broken one check at a time (`htm`, `htu`, a stale `iat`, a replayed `jti`);
 * then the bound access token at the MCP resource with a proof that lacks `ath`.
 *
 * A broken proof may be answered `invalid_dpop_proof` (RFC 9449 §5) or `invalid_grant` (draft-04
 * §9.8.1.2 names it for key mismatches); both are accepted where the texts differ. An AS that does
 * not advertise DPoP (`dpop_signing_alg_values_supported`) skips the proof cases — but must still
 * refuse a bound ID-JAG presented without a proof.
 */
import { accessTokenHash } from '@xaa/protocol';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { request } from '../http.ts';
import type { WireAnswer } from '../report/types.ts';
import { type AsCase, type AsCaseContext, expectRejection, type Verdict } from './case.ts';
import { isSuccess } from './token-request.ts';

interface ProofKey {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

async function proofKey(): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

function proof(k: ProofKey, htm: string, htu: string, over: { iat?: number; jti?: string; ath?: string } = {}): Promise<string> {
  return new SignJWT({ htm, htu, ...(over.ath ? { ath: over.ath } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: k.jwk })
    .setJti(over.jti ?? crypto.randomUUID())
    .setIssuedAt(over.iat ?? Math.floor(Date.now() / 1000))
    .sign(k.privateKey);
}

const PROOF_ERRORS = ['invalid_dpop_proof', 'invalid_grant'] as const;
const supportsDpop = (ctx: AsCaseContext) => Array.isArray(ctx.metadata.dpop_signing_alg_values_supported);
const skipUnlessDpop = (ctx: AsCaseContext): Verdict | undefined =>
  supportsDpop(ctx)
    ? undefined
    : { outcome: 'skip', reason: 'The AS metadata has no dpop_signing_alg_values_supported: it does not take DPoP proofs.', answers: [] };

/** A bound ID-JAG (cnf.jkt of `k`), minted by the IdP for the test subject. */
const boundJag = (ctx: AsCaseContext, k: ProofKey) => ctx.mint({ set: { cnf: { jkt: k.jkt } } });

/** The bound ID-JAG presented with one proof, broken as the case says. */
function brokenProof(
  id: string,
  title: string,
  mutated: string,
  make: (ctx: AsCaseContext, k: ProofKey) => Promise<string>,
  why: string,
  specRef: string,
): AsCase {
  return {
    id,
    title,
    group: 'dpop',
    level: 'must',
    mutated,
    expected: '400 invalid_dpop_proof (or invalid_grant)',
    why,
    specRef,
    run: async (ctx) => {
      const skip = skipUnlessDpop(ctx);
      if (skip) return skip;
      const k = await proofKey();
      return expectRejection(await ctx.present(await boundJag(ctx, k), { dpop: await make(ctx, k) }), PROOF_ERRORS);
    },
  };
}

/** 401 with a DPoP challenge naming `invalid_dpop_proof` (RFC 9449 §7.1). */
function expectDpopChallenge(status: number, challenge: string | null): Verdict {
  const answer: WireAnswer = { status, ...(challenge ? { error_description: `WWW-Authenticate: ${challenge.slice(0, 300)}` } : {}) };
  const error = /error="?([A-Za-z_]+)/.exec(challenge ?? '')?.[1];
  if (error) answer.error = error;
  if (status >= 200 && status < 300) return { outcome: 'fail', reason: 'The resource accepted a proof without ath.', answers: [answer] };
  if (status !== 401) return { outcome: 'fail', reason: `The resource answered ${status}; expected 401 (RFC 9449 §7.1).`, answers: [answer] };
  if (!/^\s*DPoP\b/i.test(challenge ?? '') && !/,\s*DPoP\b/i.test(challenge ?? ''))
    return { outcome: 'fail', reason: 'The 401 carries no DPoP challenge (RFC 9449 §7.1).', answers: [answer] };
  if (error !== 'invalid_dpop_proof')
    return { outcome: 'fail', reason: `The challenge says ${error ?? 'no error'}; expected invalid_dpop_proof.`, answers: [answer] };
  return { outcome: 'pass', answers: [answer] };
}

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'xaa-scorecard', version: '1' } },
});

export const DPOP_CASES: readonly AsCase[] = [
  {
    id: 'dpop.metadata-algs',
    title: 'Metadata lists DPoP proof algorithms, asymmetric only',
    group: 'dpop',
    level: 'should',
    kind: 'metadata',
    mutated: 'nothing (reads RFC 8414 metadata)',
    expected: 'dpop_signing_alg_values_supported: a non-empty array without none or HS*',
    why: 'Clients pick a proof algorithm from it; an AS that supports DPoP must publish it, and a symmetric or none algorithm would let anyone forge proofs.',
    specRef: 'RFC 9449 §5.1, §11.6',
    run: async (ctx) => {
      const v = ctx.metadata.dpop_signing_alg_values_supported;
      if (v === undefined) return { outcome: 'fail', reason: 'No dpop_signing_alg_values_supported: the AS does not advertise DPoP.', answers: [] };
      if (!Array.isArray(v) || v.length === 0) return { outcome: 'fail', reason: `dpop_signing_alg_values_supported is ${JSON.stringify(v)}.`, answers: [] };
      const bad = v.filter((a) => typeof a !== 'string' || a === 'none' || /^HS/i.test(a));
      return bad.length ? { outcome: 'fail', reason: `It lists ${bad.join(', ')}.`, answers: [] } : { outcome: 'pass', answers: [] };
    },
  },
  {
    id: 'dpop.bound-valid',
    title: 'A bound ID-JAG with a proof by its key gets a DPoP-bound access token',
    group: 'dpop',
    level: 'should',
    mutated: 'ID-JAG with cnf.jkt of the scorecard’s key; DPoP proof by that key (htm POST, htu = token endpoint)',
    expected: '200, token_type DPoP',
    why: 'The draft lets the AS bind the access token to the same key; token_type DPoP tells the client to present it with proofs. Without it the binding ends at the AS.',
    specRef: 'draft-04 §9.8.1.2.1, RFC 9449 §5',
    run: async (ctx) => {
      const skip = skipUnlessDpop(ctx);
      if (skip) return skip;
      const k = await proofKey();
      const a = await ctx.present(await boundJag(ctx, k), { dpop: await proof(k, 'POST', ctx.target.tokenEndpoint) });
      if (a.transport_error) return { outcome: 'error', reason: `The AS did not answer: ${a.transport_error}`, answers: [a] };
      if (!isSuccess(a)) return { outcome: 'fail', reason: `The AS refused a bound ID-JAG with a valid proof: ${a.status} ${a.error ?? ''}`, answers: [a] };
      return a.token_type?.toLowerCase() === 'dpop'
        ? { outcome: 'pass', answers: [a] }
        : { outcome: 'fail', reason: `token_type is ${JSON.stringify(a.token_type)}: the access token is not bound to the key.`, answers: [a] };
    },
  },
  {
    id: 'dpop.bound-no-proof',
    title: 'A bound ID-JAG without a proof',
    group: 'dpop',
    level: 'must',
    mutated: 'ID-JAG with cnf.jkt of the scorecard’s key; no DPoP header',
    expected: '400 invalid_grant',
    why: 'cnf says only the key holder may redeem the grant; an AS that ignores it makes the binding decorative, and a copied ID-JAG works for anyone.',
    specRef: 'draft-04 §9.8.1.2.2',
    run: async (ctx) => expectRejection(await ctx.present(await boundJag(ctx, await proofKey())), ['invalid_grant', 'invalid_dpop_proof']),
  },
  {
    id: 'dpop.other-key',
    title: 'A bound ID-JAG with a proof by another key',
    group: 'dpop',
    level: 'must',
    mutated: 'ID-JAG bound to key A; a valid DPoP proof signed by key B',
    expected: '400 invalid_grant',
    why: 'A thief has the ID-JAG but not the key; a valid proof by the thief’s own key must not do.',
    specRef: 'draft-04 §9.8.1.2.1, RFC 9449 §4.3',
    run: async (ctx) => {
      const skip = skipUnlessDpop(ctx);
      if (skip) return skip;
      const owner = await proofKey();
      const thief = await proofKey();
      return expectRejection(await ctx.present(await boundJag(ctx, owner), { dpop: await proof(thief, 'POST', ctx.target.tokenEndpoint) }), PROOF_ERRORS);
    },
  },
  brokenProof(
    'dpop.wrong-htm',
    'A proof for another HTTP method',
    'proof htm = GET for a POST to the token endpoint',
    (ctx, k) => proof(k, 'GET', ctx.target.tokenEndpoint),
    'A proof is good for one method and URI only; otherwise one captured for another request could be used here.',
    'RFC 9449 §4.3 step 8',
  ),
  brokenProof(
    'dpop.wrong-htu',
    'A proof for another URI',
    'proof htu = another endpoint of the same AS',
    (ctx, k) => proof(k, 'POST', new URL('/scorecard-not-the-token-endpoint', ctx.target.tokenEndpoint).href),
    'A proof made for another endpoint (or another server) must not be accepted here.',
    'RFC 9449 §4.3 step 9',
  ),
  brokenProof(
    'dpop.stale-iat',
    'A stale proof (iat 10 minutes ago)',
    'proof iat = now − 600 s',
    (ctx, k) => proof(k, 'POST', ctx.target.tokenEndpoint, { iat: Math.floor(Date.now() / 1000) - 600 }),
    'Proofs are short-lived; an old one may have been captured and replayed.',
    'RFC 9449 §4.3 step 11, §11.1',
  ),
  {
    id: 'dpop.replayed-jti',
    title: 'A proof replayed with a second ID-JAG',
    group: 'dpop',
    level: 'should',
    mutated: 'the same proof (same jti) sent twice, each time with a fresh bound ID-JAG',
    expected: 'first 200, then 400 invalid_dpop_proof',
    why: 'Within its iat window a captured proof could be replayed; remembering jtis stops that.',
    specRef: 'RFC 9449 §11.1',
    run: async (ctx) => {
      const skip = skipUnlessDpop(ctx);
      if (skip) return skip;
      const k = await proofKey();
      const p = await proof(k, 'POST', ctx.target.tokenEndpoint);
      const first = await ctx.present(await boundJag(ctx, k), { dpop: p });
      if (!isSuccess(first)) return { outcome: 'error', reason: `The first use was refused: ${first.status} ${first.error ?? ''}`, answers: [first] };
      const second = expectRejection(await ctx.present(await boundJag(ctx, k), { dpop: p }), PROOF_ERRORS);
      return { ...second, answers: [first, ...second.answers] };
    },
  },
  {
    id: 'dpop.resource-missing-ath',
    title: 'At the MCP resource: a proof without ath',
    group: 'dpop',
    level: 'must',
    mutated: 'the DPoP-bound access token with Authorization: DPoP and a proof by its key that has no ath',
    expected: '401, WWW-Authenticate: DPoP error="invalid_dpop_proof"',
    why: 'ath ties the proof to one access token; without it, a proof made for one token would vouch for any other token of the same key.',
    specRef: 'RFC 9449 §4.3 step 12, §7.1',
    run: async (ctx) => {
      const skip = skipUnlessDpop(ctx);
      if (skip) return skip;
      const k = await proofKey();
      let accessToken: string | undefined;
      const redeemed = await ctx.present(await boundJag(ctx, k), {
        dpop: await proof(k, 'POST', ctx.target.tokenEndpoint),
        onAccessToken: (t) => {
          accessToken = t;
        },
      });
      if (!accessToken || redeemed.token_type?.toLowerCase() !== 'dpop')
        return { outcome: 'skip', reason: 'The AS issued no DPoP-bound access token, so there is nothing to present.', answers: [redeemed] };
      const call = async (ath: boolean) => {
        const htu = ctx.target.resource;
        const r = await request(
          htu,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/json, text/event-stream',
              authorization: `DPoP ${accessToken}`,
              dpop: await proof(k, 'POST', htu, ath ? { ath: await accessTokenHash(accessToken as string) } : {}),
            },
            body: INITIALIZE,
          },
          ctx.http,
        );
        return { status: r.status, challenge: r.headers.get('www-authenticate') };
      };
      // The same call with ath must work, or the refusal below proves nothing.
      const control = await call(true);
      if (control.status < 200 || control.status >= 300)
        return { outcome: 'error', reason: `The resource refused the bound token even with a complete proof (${control.status}).`, answers: [redeemed] };
      const broken = await call(false);
      const v = expectDpopChallenge(broken.status, broken.challenge);
      return { ...v, answers: [redeemed, ...v.answers] };
    },
  },
];

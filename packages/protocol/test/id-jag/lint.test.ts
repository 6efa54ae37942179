import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { type LintIdJagResult, lintIdJag } from '../../src/id-jag/lint.ts';
import { buildIdJagClaims, mintIdJag, type SigningKey } from '../../src/index.ts';

const IDP = 'http://localhost:4000';
const AS = 'http://localhost:4101';
const RESOURCE = 'http://localhost:4101/mcp';
const NOW = 1_800_000_000;

let key: SigningKey;
const good = () =>
  buildIdJagClaims({
    issuer: IDP,
    subject: 'u-alice',
    audience: AS,
    clientId: 'acme-agent-at-tasks',
    resource: RESOURCE,
    scopes: ['tasks.read'],
    ttlSeconds: 300,
    now: NOW - 10,
  });

const failed = (r: LintIdJagResult) => r.findings.filter((f) => !f.ok).map((f) => f.rule);

beforeAll(async () => {
  const kp = await generateKeyPair('ES256');
  key = { kid: 'k1', alg: 'ES256', key: kp.privateKey };
});

describe('lintIdJag (draft-04 §3.1, EMA §7.4)', () => {
  it('passes a well-formed ID-JAG with only the informational resource/email notes', async () => {
    const r = lintIdJag(await mintIdJag(good(), key), { now: NOW, expectedAudience: AS, expectedIssuer: IDP, expectedResources: [RESOURCE] });
    expect(r.decoded).toBe(true);
    expect(r.isIdJag).toBe(true);
    expect(failed(r)).toEqual([]);
    expect(r.summary).toEqual({ error: 0, warning: 0, info: 0 });
    expect(r.findings.every((f) => f.specRef.length > 0)).toBe(true);
  });

  it('refuses input that is not a compact JWS (RFC 7515 §7.1)', () => {
    const r = lintIdJag('not-a-token', { now: NOW });
    expect(r.decoded).toBe(false);
    expect(failed(r)).toEqual(['format']);
  });

  it('flags an ID token presented as an ID-JAG: wrong typ (draft-04 §4.4.1, RFC 8725 §3.11)', async () => {
    const token = await new SignJWT({ ...good(), nonce: 'n' }).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' }).sign(key.key);
    const r = lintIdJag(token, { now: NOW });
    expect(r.isIdJag).toBe(false);
    expect(failed(r)).toEqual(expect.arrayContaining(['typ', 'not_id_token']));
    expect(r.findings.find((f) => f.rule === 'typ')?.level).toBe('error');
  });

  it('accepts the full media type application/oauth-id-jag+jwt, any case (RFC 7515 §4.1.9)', async () => {
    for (const typ of ['application/oauth-id-jag+jwt', 'OAUTH-ID-JAG+JWT']) {
      const token = await new SignJWT(good()).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ }).sign(key.key);
      const r = lintIdJag(token, { now: NOW });
      expect(r.isIdJag, typ).toBe(true);
      expect(failed(r), typ).not.toContain('typ');
    }
    const wrong = await new SignJWT(good()).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'application/jwt' }).sign(key.key);
    expect(failed(lintIdJag(wrong, { now: NOW }))).toContain('typ');
  });

  it('flags alg none and the missing signature (EMA §7.4.1)', () => {
    const token = new UnsecuredJWT(good()).encode();
    const r = lintIdJag(token, { now: NOW });
    expect(failed(r)).toEqual(expect.arrayContaining(['alg', 'signature.present', 'typ', 'kid']));
  });

  it('flags a multi-valued aud (draft-04 §4.4.1)', async () => {
    const r = lintIdJag(await mintIdJag({ ...good(), aud: [AS, 'http://other'] }, key), { now: NOW });
    expect(failed(r)).toContain('aud.single');
  });

  it('flags aud equal to iss (draft-04 §9.3) and an unexpected audience', async () => {
    const r = lintIdJag(await mintIdJag({ ...good(), aud: IDP }, key), { now: NOW, expectedAudience: AS });
    expect(failed(r)).toEqual(expect.arrayContaining(['aud.not_self', 'aud.expected']));
  });

  it('flags a token-endpoint audience (draft-parecki-00 shape)', async () => {
    const r = lintIdJag(await mintIdJag({ ...good(), aud: `${AS}/token` }, key), { now: NOW });
    expect(failed(r)).toContain('aud.issuer');
  });

  it('flags missing client_id and jti (draft-04 §3.1)', async () => {
    const { client_id: _c, jti: _j, ...rest } = good();
    const r = lintIdJag(await mintIdJag(rest, key), { now: NOW });
    expect(failed(r)).toEqual(expect.arrayContaining(['client_id', 'jti']));
  });

  it('flags a long lifetime (EMA §7.4.2) and an expired token (RFC 7523 §3)', async () => {
    const claims = { ...good(), iat: NOW - 7200, exp: NOW - 60 };
    const r = lintIdJag(await mintIdJag(claims, key), { now: NOW });
    expect(failed(r)).toEqual(expect.arrayContaining(['lifetime.short', 'exp.valid']));
  });

  it('flags iat in the future and exp before iat', async () => {
    const r = lintIdJag(await mintIdJag({ ...good(), iat: NOW + 600, exp: NOW + 500 }, key), { now: NOW });
    expect(failed(r)).toEqual(expect.arrayContaining(['iat.past', 'exp.after_iat']));
  });

  it('flags a legacy scopes array and a malformed scope (RFC 6749 §3.3)', async () => {
    const r = lintIdJag(await mintIdJag({ ...good(), scope: ['a', 'b'] as unknown as string, scopes: ['a'] }, key), { now: NOW });
    expect(failed(r)).toEqual(expect.arrayContaining(['scope', 'scope.legacy']));
  });

  it('flags a relative resource and one the AS does not serve (RFC 8707 §2, EMA §7.6.2)', async () => {
    expect(failed(lintIdJag(await mintIdJag({ ...good(), resource: '/mcp' }, key), { now: NOW }))).toContain('resource');
    // ID-JAG builds after -04, §4.3.4: a non-empty array of unique values.
    expect(failed(lintIdJag(await mintIdJag({ ...good(), resource: [] }, key), { now: NOW }))).toContain('resource');
    expect(failed(lintIdJag(await mintIdJag({ ...good(), resource: ['https://a.test/mcp', 'https://a.test/mcp'] }, key), { now: NOW }))).toContain('resource');
    expect(failed(lintIdJag(await mintIdJag({ ...good(), resource: ['https://a.test/mcp', 'https://b.test/mcp'] }, key), { now: NOW }))).not.toContain(
      'resource',
    );
    const foreign = lintIdJag(await mintIdJag({ ...good(), resource: 'http://localhost:4102/mcp' }, key), { now: NOW, expectedResources: [RESOURCE] });
    expect(failed(foreign)).toContain('resource.expected');
  });

  it('notes an absent resource as info, not an error (EMA §4.3 makes it optional)', async () => {
    const { resource: _r, ...rest } = good();
    const r = lintIdJag(await mintIdJag(rest, key), { now: NOW });
    expect(r.findings.find((f) => f.rule === 'resource')).toMatchObject({ ok: false, level: 'info' });
    expect(r.summary.error).toBe(0);
  });

  it('flags a trailing-slash issuer (RFC 8414 §2) and an unexpected issuer', async () => {
    const r = lintIdJag(await mintIdJag({ ...good(), iss: `${IDP}/` }, key), { now: NOW, expectedIssuer: IDP });
    expect(failed(r)).toEqual(expect.arrayContaining(['iss.form', 'iss.expected']));
  });

  it('checks cnf and sub_id shapes (draft-04 §9.8.1, §3.2)', async () => {
    const r = lintIdJag(await mintIdJag({ ...good(), cnf: {}, sub_id: { format: 'saml-nameid', issuer: 'x' } }, key), { now: NOW });
    expect(failed(r)).toEqual(expect.arrayContaining(['cnf', 'sub_id']));
    const ok = lintIdJag(await mintIdJag({ ...good(), cnf: { jkt: 'abc' }, sub_id: { format: 'saml-nameid', issuer: 'x', nameid: 'a@b' } }, key), { now: NOW });
    expect(failed(ok)).not.toEqual(expect.arrayContaining(['cnf', 'sub_id']));
  });

  it('lints already-decoded header and claims', () => {
    const r = lintIdJag({ header: { alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: 'k' }, claims: good() as unknown as Record<string, unknown> }, { now: NOW });
    expect(failed(r)).toEqual([]);
  });
});

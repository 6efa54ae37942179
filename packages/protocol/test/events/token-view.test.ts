import { generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { redactRecord, signedTokenView, tokenView } from '../../src/events/token-view.ts';
import { formatTraceparent, newTrace, parseTraceparent } from '../../src/events/traceparent.ts';
import { jwsHeader, signJwt } from '../../src/id-jag/mint.ts';
import { decodeUnverified, stripSignature, tokenHash } from '../../src/jwt.ts';

async function webCryptoHash(compact: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(compact)));
  return btoa(String.fromCharCode(...digest.subarray(0, 12)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

describe('token views (docs/decisions.md §4)', () => {
  it('tokenHash is the truncated SHA-256 a browser computes with WebCrypto (same value on every runtime)', async () => {
    for (const t of ['a.b.c', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.sig', 'ü'.repeat(300)]) {
      const h = await tokenHash(t);
      expect(h).toBe(await webCryptoHash(t));
      expect(h).toMatch(/^[A-Za-z0-9_-]{16}$/);
    }
    expect(await tokenHash('a.b.c')).not.toBe(await tokenHash('a.b.d'));
  });

  it('keeps the compact token only unredacted, and a redacted view is not usable (signature stripped)', async () => {
    const key = new TextEncoder().encode('k'.repeat(32));
    const jwt = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256', typ: 'oauth-id-jag+jwt' }).sign(key);
    const open = await tokenView('id_jag', jwt);
    expect(open).toMatchObject({ role: 'id_jag', header: { typ: 'oauth-id-jag+jwt' }, claims: { sub: 'alice' }, compact: jwt });
    const redacted = await tokenView('id_jag', jwt, { redact: true });
    expect(redacted.compact).toBe(stripSignature(jwt));
    expect(redacted.hash).toBe(open.hash);
  });

  it('views one token alike each time (decoded once), another token by its own claims', async () => {
    const key = new TextEncoder().encode('k'.repeat(32));
    const sign = (sub: string) => new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).sign(key);
    const [a, b] = [await sign('alice'), await sign('bob')];
    const first = await tokenView('subject_token', a);
    const again = await tokenView('subject_token', a);
    expect(again).toEqual(first);
    expect(Object.isFrozen(again.claims)).toBe(true);
    expect((await tokenView('subject_token', b)).claims.sub).toBe('bob');
    expect(await tokenView('x', 'not.a.jwt')).toEqual({ role: 'x', header: {}, claims: {}, hash: expect.any(String) });
  });

  it('a view of a token just signed equals the view decoded from it', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    // A signer of its own (on Node, node-kit's): what matters here is the signing input it is given.
    const inputs: string[] = [];
    const ownSigner = (input: string) => {
      inputs.push(input);
      return 'c2ln';
    };
    const claims = { iss: 'https://idp.test', sub: 'u1', aud: 'https://as.test', jti: 'j1', iat: 1, exp: 2, name: 'Zoë', cnf: { jkt: 't' } };
    for (const signingKey of [
      { kid: 'k1', alg: 'ES256', key: privateKey },
      { kid: 'k1', alg: 'ES256', key: privateKey, sign: ownSigner },
    ]) {
      const compact = await signJwt(claims, signingKey);
      if (signingKey.sign) expect(compact).toBe(`${inputs[0]}.c2ln`);
      else expect((await jwtVerify(compact, publicKey, { currentDate: new Date(1000) })).payload).toEqual(claims);
      expect(decodeUnverified(compact)).toEqual({ header: jwsHeader(signingKey), claims });
      for (const redact of [false, true])
        expect(await signedTokenView('id_jag', compact, { header: jwsHeader(signingKey), claims }, { redact })).toEqual(
          await tokenView('id_jag', compact, { redact }),
        );
    }
  });

  it('redactRecord masks secrets and leaves out parameters that were not sent', () => {
    expect(redactRecord({ grant_type: 'x', client_secret: undefined, subject_token: 'abcdefghij', password: '', scope: undefined })).toEqual({
      grant_type: 'x',
      subject_token: 'abcdef…[10 chars redacted]',
      password: '[redacted]',
    });
  });
});

describe('W3C traceparent', () => {
  it('new traces are random lowercase hex of the right length and round-trip through the header', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = newTrace();
      expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(t.spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(t.traceId);
      const header = formatTraceparent(t, false);
      expect(parseTraceparent(header)).toEqual(t);
    }
    expect(seen.size).toBe(200);
    expect(parseTraceparent(`00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`)).toBeUndefined();
  });

  it('a new trace id begins with its start time (6 bytes, milliseconds) and ends with 10 random bytes (Trace Context Level 2 §3.2.2.3)', () => {
    const before = Date.now();
    const ids = Array.from({ length: 300 }, () => newTrace().traceId);
    const after = Date.now();
    for (const id of ids) {
      const ms = Number.parseInt(id.slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before);
      expect(ms).toBeLessThanOrEqual(after);
    }
    // Ids of later traces sort after earlier ones once the millisecond has moved on.
    const later = (() => {
      let t = newTrace().traceId;
      while (t.slice(0, 12) === (ids.at(-1) as string).slice(0, 12)) t = newTrace().traceId;
      return t;
    })();
    expect([...ids, later].sort().at(-1)).toBe(later);
    // The random part: every digit position takes many values (no fixed UUID version or variant digit).
    for (let pos = 12; pos < 32; pos++) expect(new Set(ids.map((id) => id[pos])).size).toBeGreaterThan(8);
    for (let pos = 0; pos < 16; pos++) expect(new Set(Array.from({ length: 300 }, () => newTrace().spanId[pos])).size).toBeGreaterThan(8);
  });
});

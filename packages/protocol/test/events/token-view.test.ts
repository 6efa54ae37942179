import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { tokenView } from '../../src/events/token-view.ts';
import { formatTraceparent, newTrace, parseTraceparent } from '../../src/events/traceparent.ts';
import { stripSignature, tokenHash } from '../../src/jwt.ts';

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
});

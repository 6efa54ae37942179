import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CookieJar, clientAuthentication, pkce } from '../src/index.ts';

const res = (...cookies: string[]) => {
  const h = new Headers();
  for (const c of cookies) h.append('set-cookie', c);
  return new Response(null, { headers: h });
};

describe('CookieJar', () => {
  it('keeps cookies per host and path, replaces and deletes them', () => {
    const jar = new CookieJar();
    jar.store('http://idp.test/authorize', res('_session=s1; path=/; httponly', '_interaction=i1; path=/interaction/abc'));
    expect(jar.header('http://idp.test/interaction/abc/login')).toBe('_session=s1; _interaction=i1');
    expect(jar.header('http://idp.test/token')).toBe('_session=s1');
    expect(jar.header('http://other.test/')).toBe('');
    jar.store('http://idp.test/', res('_session=s2; path=/'));
    expect(jar.header('http://idp.test/')).toBe('_session=s2');
    jar.store('http://idp.test/', res('_session=; path=/; max-age=0'));
    expect(jar.header('http://idp.test/')).toBe('');
  });
});

describe('pkce (RFC 7636 §4.2)', () => {
  it('derives the S256 challenge from the verifier', () => {
    const p = pkce();
    expect(p.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.code_challenge).toBe(createHash('sha256').update(p.code_verifier).digest('base64url'));
  });
});

describe('clientAuthentication (RFC 6749 §2.3.1)', () => {
  it('form-encodes Basic credentials, or puts them in the body, or sends client_id alone', () => {
    const basic = clientAuthentication({ clientId: 'a b', clientSecret: 's:t' });
    expect(Buffer.from((basic.headers.authorization as string).slice(6), 'base64').toString()).toBe('a+b:s%3At');
    expect(clientAuthentication({ clientId: 'c', clientSecret: 's', clientAuth: 'client_secret_post' }).body).toEqual({ client_id: 'c', client_secret: 's' });
    expect(clientAuthentication({ clientId: 'c' })).toEqual({ headers: {}, body: { client_id: 'c' } });
  });
});

import { describe, expect, it } from 'vitest';
import { CookieJar } from '../src/cookie-jar.ts';

const res = (...cookies: string[]) => {
  const h = new Headers();
  for (const c of cookies) h.append('set-cookie', c);
  return new Response(null, { headers: h });
};

describe('CookieJar', () => {
  it('keeps cookies per host and path (longer paths first, RFC 6265 §5.4), replaces and deletes them', () => {
    const jar = new CookieJar();
    jar.store('http://idp.test/authorize', res('_session=s1; path=/; httponly', '_interaction=i1; path=/interaction/abc'));
    expect(jar.header('http://idp.test/interaction/abc/login')).toBe('_interaction=i1; _session=s1');
    expect(jar.header('http://idp.test/token')).toBe('_session=s1');
    expect(jar.header('http://other.test/')).toBe('');
    jar.store('http://idp.test/', res('_session=s2; path=/'));
    expect(jar.header('http://idp.test/')).toBe('_session=s2');
    jar.store('http://idp.test/', res('_session=; path=/; max-age=0'));
    expect(jar.header('http://idp.test/')).toBe('');
  });
});

import { gzipSync } from 'node:zlib';
import { CookieJar, pkce } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOf, startTestIdp, type TestIdp } from '../support/idp.ts';

/** Opens a sign-in and returns the login form's action with the interaction's cookies. */
async function openLogin(idp: TestIdp): Promise<{ action: URL; jar: CookieJar }> {
  const c = clientOf(idp.topology, 'acme-agent');
  const meta = (await (await fetch(`${idp.idp.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string };
  const p = pkce();
  let url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: c.idp.client_id,
    response_type: 'code',
    redirect_uri: c.idp.redirect_uris[0] as string,
    scope: 'openid',
    state: 's',
    code_challenge: p.code_challenge,
    code_challenge_method: 'S256',
  }).toString();
  const jar = new CookieJar();
  for (let i = 0; i < 5; i++) {
    const res = await fetch(url, { redirect: 'manual', headers: jar.header(url) ? { cookie: jar.header(url) } : {} });
    jar.store(url, res);
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url);
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"[^>]*>(?:(?!<\/form>)[\s\S])*name="password"/i.exec(await res.text())?.[1];
    if (!action) throw new Error('no login form');
    const decoded = action
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)))
      .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
      .replace(/&amp;/g, '&');
    return { action: new URL(decoded, url), jar };
  }
  throw new Error('too many redirects');
}

describe('login form: compressed bodies', () => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startTestIdp();
  });
  afterAll(async () => {
    await idp?.close();
  });

  it.each([
    ['gzip', 'username=alice&password=wrong'],
    ['br', 'username=alice&password=wrong'],
    ['gzip', gzipSync('username=alice&password=wrong')],
  ])('answers a %s-encoded login post with 415, not 500', async (encoding, body) => {
    const { action, jar } = await openLogin(idp);
    const res = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(action), 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': encoding },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });
    expect(res.status).toBe(415);
  });

  it('still accepts the plain form post', async () => {
    const { action, jar } = await openLogin(idp);
    const res = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(action), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=demo',
    });
    expect(res.status).toBe(303);
  });
});

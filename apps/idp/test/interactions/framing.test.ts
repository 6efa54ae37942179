/**
 * Clickjacking: the IdP's sign-in page refuses to be framed by any origin (CSP Level 3
 * `frame-ancestors 'none'`, RFC 7034 `X-Frame-Options: DENY`; RFC 9700 §4.16), also when it is shown
 * again after a failed sign-in.
 */
import { CookieJar, pkce } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp?.close();
});

function expectNoFraming(res: Response) {
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(res.headers.get('x-frame-options')).toBe('DENY');
}

describe('IdP sign-in page cannot be framed (RFC 9700 §4.16)', () => {
  it('on the login form and on the form shown again after a wrong password', async () => {
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
    let page: Response | undefined;
    for (let i = 0; i < 5 && !page; i++) {
      const res = await fetch(url, { redirect: 'manual', headers: jar.header(url) ? { cookie: jar.header(url) } : {} });
      jar.store(url, res);
      const location = res.headers.get('location');
      if (location) {
        await res.body?.cancel();
        url = new URL(location, url);
      } else page = res;
    }
    expect(page?.status).toBe(200);
    expect(await page?.text()).toContain('name="password"');
    expectNoFraming(page as Response);

    const failed = await fetch(new URL(`${url.pathname}/login`, url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(url), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=alice&password=wrong',
    });
    expect(failed.status).toBe(401);
    expectNoFraming(failed);
  });
});

/**
 * Drives the classic path at a server's AS like a browser would, with plain fetch: authorization
 * request → the AS's login form → its consent screen → the redirect back with a code. Returns each
 * page it saw, so tests can look at the consent screen.
 */
import { CookieJar, pkce } from '@xaa/testkit';

export interface ClassicRun {
  callback: URL;
  verifier: string;
  pages: Array<{ url: string; status: number; html: string; headers: Headers }>;
}

export async function authorize(
  issuer: string,
  params: { client_id: string; redirect_uri: string; scope: string; resource?: string; pkce?: boolean },
  user: { username: string; password: string; consent?: 'allow' | 'deny' },
  /** A browser's cookies across runs (the IdP session makes the second SSO hop silent). */
  jar = new CookieJar(),
): Promise<ClassicRun> {
  const p = pkce();
  const state = Math.random().toString(36).slice(2);
  const q = new URLSearchParams({ response_type: 'code', client_id: params.client_id, redirect_uri: params.redirect_uri, scope: params.scope, state });
  if (params.resource) q.set('resource', params.resource);
  if (params.pkce !== false) {
    q.set('code_challenge', p.code_challenge);
    q.set('code_challenge_method', 'S256');
  }
  let url = new URL(`${issuer}/authorize?${q}`);
  let method = 'GET';
  let body: string | undefined;
  const pages: ClassicRun['pages'] = [];
  for (let step = 0; step < 20; step++) {
    if (url.href.startsWith(params.redirect_uri)) return { callback: url, verifier: p.code_verifier, pages };
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { ...(jar.header(url) ? { cookie: jar.header(url) } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
    });
    jar.store(url, res);
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      url = new URL(res.headers.get('location') as string, url);
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    pages.push({ url: url.href, status: res.status, html, headers: res.headers });
    if (res.status !== 200) throw Object.assign(new Error(`AS answered ${res.status} at ${url.pathname}`), { html, pages });
    // HTML attribute decoding (the IdP's pages escape "/" and others as numeric references).
    const action = /<form[^>]*action="([^"]+)"/
      .exec(html)?.[1]
      ?.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
      .replace(/&amp;/g, '&');
    if (!action) throw Object.assign(new Error(`no form at ${url.pathname}`), { html, pages });
    url = new URL(action, url);
    method = 'POST';
    body = action.endsWith('/login')
      ? new URLSearchParams({ username: user.username, password: user.password }).toString()
      : new URLSearchParams({ decision: user.consent ?? 'allow' }).toString();
  }
  throw new Error('too many steps');
}

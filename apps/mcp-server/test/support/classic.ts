/**
 * Drives the classic path at a server's AS like a browser would (the headless user agent):
 * authorization request → the AS's login form → its consent screen → the redirect back with a code.
 * Returns each page it saw, so tests can look at the consent screen.
 */
import { CookieJar, navigate, pkce } from '@xaa/user-agent';

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
  const pages: ClassicRun['pages'] = [];
  const nav = await navigate(`${issuer}/authorize?${q}`, {
    redirectUri: params.redirect_uri,
    credentials: user,
    ...(user.consent === 'deny' ? { refuseConsent: true } : { approveConsent: true }),
    onPage: (page) => pages.push(page),
    jar,
    maxSteps: 24,
  });
  if (nav.ok) return { callback: nav.callbackUrl, verifier: p.code_verifier, pages };
  const last = pages.at(-1);
  throw Object.assign(new Error(`AS answered ${nav.status ?? nav.kind} at ${last ? new URL(last.url).pathname : issuer}: ${nav.message}`), {
    html: last?.html,
    pages,
  });
}

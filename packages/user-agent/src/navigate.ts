/**
 * The headless user agent: plays the user's browser through a front-channel flow (an IdP's SSO
 * login, or the classic flow at a server's authorization server) until the authorization server
 * redirects to the client's redirect URI. It keeps cookies (RFC 6265), follows redirects one by one,
 * submits the forms a page submits itself, fills login forms and, when allowed, approves consent
 * screens — counting each one it had to pass.
 *
 * It never follows the redirect to the redirect URI itself: the authorization response (code, state,
 * iss) goes back to the caller, which validates it (state, PKCE, nonce, RFC 9207 `iss`).
 */
import { CookieJar } from './cookie-jar.ts';
import { type Credentials, chooseForm, pageText } from './forms.ts';

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface NavigateOptions {
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
  /** Where the flow ends; matched on origin + path. */
  redirectUri: string;
  credentials: Credentials;
  /** Approve consent screens (the classic flow). A first-party sign-in at the IdP needs none. */
  approveConsent?: boolean;
  /** Press a consent screen's refusing button instead (a user who says no); counts the screen. */
  refuseConsent?: boolean;
  maxSteps?: number;
  jar?: CookieJar;
  /** Extra headers on every request (e.g. `traceparent`). */
  headers?: Record<string, string>;
  /** Called after each page or form submission (for flow events). */
  onStep?: (step: HeadlessStep) => void;
  /** Called with each page shown (every answer that is not a redirect). */
  onPage?: (page: HeadlessPage) => void;
}

export interface HeadlessPage {
  url: string;
  status: number;
  headers: Headers;
  html: string;
}

export interface HeadlessStep {
  kind: 'navigate' | 'login' | 'consent';
  method: string;
  url: string;
  status: number;
  ms: number;
}

export type HeadlessFailure = 'login_failed' | 'consent_required' | 'stuck' | 'http_error';

export type HeadlessResult =
  | {
      ok: true;
      callbackUrl: URL;
      /** The form the last page posted to the redirect URI (response_mode=form_post, a SAML HTTP-POST binding); absent for a redirect. */
      callbackBody?: URLSearchParams;
      consentScreens: number;
      loginForms: number;
    }
  | {
      ok: false;
      kind: HeadlessFailure;
      message: string;
      consentScreens: number;
      /** The HTTP status of the last page, when there was one. */
      status?: number;
      /** The start of the last page's body. */
      body?: string;
    };

function isRedirectTarget(url: URL, redirectUri: string): boolean {
  const r = new URL(redirectUri);
  return url.origin === r.origin && url.pathname === r.pathname;
}

export async function navigate(start: string | URL, options: NavigateOptions): Promise<HeadlessResult> {
  const doFetch = options.fetch ?? fetch;
  const jar = options.jar ?? new CookieJar();
  const maxSteps = options.maxSteps ?? 20;
  let url = new URL(start);
  let method = 'GET';
  let body: URLSearchParams | undefined;
  let kind: HeadlessStep['kind'] = 'navigate';
  let consentScreens = 0;
  let loginForms = 0;
  for (let i = 0; i < maxSteps; i++) {
    if (isRedirectTarget(url, options.redirectUri))
      return { ok: true, callbackUrl: url, ...(method === 'POST' && body ? { callbackBody: body } : {}), consentScreens, loginForms };
    const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml', ...options.headers };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const t0 = performance.now();
    const res = await doFetch(url, { method, headers, redirect: 'manual', ...(body ? { body: body.toString() } : {}) });
    jar.store(url, res);
    options.onStep?.({ kind, method, url: url.href, status: res.status, ms: Math.round(performance.now() - t0) });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (!location)
        return { ok: false, kind: 'http_error', message: `${res.status} from ${url.href} without a Location header`, consentScreens, status: res.status };
      url = new URL(location, url);
      method = 'GET';
      body = undefined;
      kind = 'navigate';
      continue;
    }
    const html = await res.text();
    options.onPage?.({ url: url.href, status: res.status, headers: res.headers, html });
    const form = chooseForm(html, url, options.credentials, options.refuseConsent ? 'refuse' : 'approve');
    const failed = (failure: HeadlessFailure, message: string): HeadlessResult => ({
      ok: false,
      kind: failure,
      message,
      consentScreens,
      status: res.status,
      body: html.slice(0, 2000),
    });
    if (res.status >= 400) {
      // A login page answered with 4xx right after our credentials: the server refused them.
      if (kind === 'login' && form?.kind === 'login') return failed('login_failed', `the login at ${url.origin} was refused: ${pageText(html)}`);
      return failed('http_error', `${res.status} from ${url.origin}${url.pathname}: ${pageText(html)}`);
    }
    if (!form) return failed('stuck', `no form to submit at ${url.origin}${url.pathname}: ${pageText(html)}`);
    if (form.kind === 'login') {
      // A login form right after we submitted one means the credentials were refused.
      if (kind === 'login' || loginForms >= 3) return failed('login_failed', `the login at ${url.origin} was refused: ${pageText(html)}`);
      loginForms++;
      kind = 'login';
    } else if (form.kind === 'consent') {
      if (!options.approveConsent && !options.refuseConsent) return failed('consent_required', `a consent screen at ${url.origin} needs a human`);
      consentScreens++;
      kind = 'consent';
    } else {
      kind = 'navigate';
    }
    if (form.method === 'GET') {
      url = new URL(form.action);
      for (const [k, v] of form.fields) url.searchParams.append(k, v);
      method = 'GET';
      body = undefined;
    } else {
      url = form.action;
      method = 'POST';
      body = form.fields;
    }
  }
  return { ok: false, kind: 'stuck', message: `no redirect to ${options.redirectUri} after ${maxSteps} steps`, consentScreens };
}

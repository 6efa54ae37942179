/**
 * The headless user agent: for tests and scripts, it plays the user's browser through a front-channel
 * flow (the IdP's SSO login, or the classic flow at a server's AS) until the authorization server
 * redirects to the agent's redirect URI. It keeps cookies (RFC 6265, tough-cookie), follows redirects
 * one by one, fills login forms (fields `username` and `password`, design §3) and, when allowed,
 * approves consent forms — counting each consent screen it had to pass, which is the number the
 * "consent screens vs XAA" story is about.
 *
 * It never follows a redirect to the redirect URI itself: the authorization response (code, state,
 * iss) is handed back to the caller, which validates it (state, PKCE, nonce, RFC 9207 iss).
 */
import { type HTMLElement, parse } from 'node-html-parser';
import { CookieJar } from 'tough-cookie';
import type { FetchLike } from './http.ts';

export interface HeadlessOptions {
  fetch: FetchLike;
  /** Where the flow ends; matched on origin + path. */
  redirectUri: string;
  credentials: { username: string; password: string };
  /** Approve consent screens (classic flow). SSO at the IdP must not need one (design §3). */
  approveConsent: boolean;
  maxSteps: number;
  jar?: CookieJar;
  /** Called after each page or form submission (for flow events). */
  onStep?: (step: HeadlessStep) => void;
}

export interface HeadlessStep {
  kind: 'navigate' | 'login' | 'consent';
  method: string;
  url: string;
  status: number;
  ms: number;
}

export type HeadlessResult =
  /** `form`: the flow ended with a form POSTed to the redirect URI (SAML HTTP-POST binding, SAML Bindings §3.5), not a redirect. */
  | { ok: true; callbackUrl: URL; consentScreens: number; loginForms: number; form?: URLSearchParams }
  | { ok: false; kind: 'login_failed' | 'consent_required' | 'stuck' | 'http_error'; message: string; consentScreens: number };

interface FormChoice {
  action: URL;
  method: string;
  fields: URLSearchParams;
  isLogin: boolean;
}

const APPROVE = /\b(allow|approve|accept|consent|confirm|continue|authori[sz]e|grant|yes|sign in|log in|login|submit)\b/i;
const REFUSE = /\b(deny|cancel|reject|decline|abort|no)\b/i;

function label(el: HTMLElement): string {
  return [el.getAttribute('name'), el.getAttribute('value'), el.getAttribute('id'), el.text].filter(Boolean).join(' ');
}

/** Pick the form to submit on a page: a login form first, else a consent form's approving button. */
export function chooseForm(html: string, pageUrl: URL, credentials: { username: string; password: string }): FormChoice | undefined {
  const root = parse(html);
  const forms = root.querySelectorAll('form');
  const candidates: Array<FormChoice & { score: number }> = [];
  for (const form of forms) {
    const action = new URL(form.getAttribute('action') || pageUrl.href, pageUrl);
    const method = (form.getAttribute('method') || 'GET').toUpperCase();
    const fields = new URLSearchParams();
    const inputs = form.querySelectorAll('input, select, textarea');
    const password = inputs.find((i) => (i.getAttribute('type') ?? '').toLowerCase() === 'password');
    for (const input of inputs) {
      const name = input.getAttribute('name');
      const type = (input.getAttribute('type') ?? 'text').toLowerCase();
      if (!name || type === 'submit' || type === 'button' || type === 'image') continue;
      if ((type === 'checkbox' || type === 'radio') && !input.hasAttribute('checked')) continue;
      fields.append(name, input.getAttribute('value') ?? '');
    }
    if (password) {
      const userField =
        inputs.find((i) => /^(username|login|email|user)$/i.test(i.getAttribute('name') ?? '')) ??
        inputs.find((i) => ['text', 'email'].includes((i.getAttribute('type') ?? 'text').toLowerCase()));
      if (userField?.getAttribute('name')) fields.set(userField.getAttribute('name') as string, credentials.username);
      fields.set(password.getAttribute('name') ?? 'password', credentials.password);
      candidates.push({ action, method, fields, isLogin: true, score: 100 });
      continue;
    }
    const buttons = form.querySelectorAll('button, input[type=submit]');
    const formText = `${action.pathname} ${label(form)}`;
    if (buttons.length === 0) {
      candidates.push({ action, method, fields, isLogin: false, score: REFUSE.test(formText) ? -10 : APPROVE.test(formText) ? 10 : 1 });
      continue;
    }
    for (const b of buttons) {
      const text = label(b);
      const score = REFUSE.test(text) || REFUSE.test(action.pathname) ? -10 : APPROVE.test(text) ? 10 : 1;
      const f = new URLSearchParams(fields);
      const name = b.getAttribute('name');
      if (name) f.set(name, b.getAttribute('value') ?? '');
      const formaction = b.getAttribute('formaction');
      candidates.push({ action: formaction ? new URL(formaction, pageUrl) : action, method, fields: f, isLogin: false, score });
    }
  }
  const best = candidates.sort((a, b) => b.score - a.score)[0];
  return best && best.score > 0 ? best : undefined;
}

function isRedirectTarget(url: URL, redirectUri: string): boolean {
  const r = new URL(redirectUri);
  return url.origin === r.origin && url.pathname === r.pathname;
}

function textSnippet(html: string): string {
  return parse(html).text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

export async function navigate(start: URL, options: HeadlessOptions): Promise<HeadlessResult> {
  const jar = options.jar ?? new CookieJar();
  let url = start;
  let method = 'GET';
  let body: URLSearchParams | undefined;
  let kind: HeadlessStep['kind'] = 'navigate';
  let consentScreens = 0;
  let loginForms = 0;
  for (let i = 0; i < options.maxSteps; i++) {
    if (isRedirectTarget(url, options.redirectUri)) return { ok: true, callbackUrl: url, consentScreens, loginForms };
    const headers: Record<string, string> = { accept: 'text/html,application/xhtml+xml' };
    const cookie = await jar.getCookieString(url.href);
    if (cookie) headers.cookie = cookie;
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const t0 = performance.now();
    const res = await options.fetch(url, { method, headers, redirect: 'manual', ...(body ? { body: body.toString() } : {}) });
    for (const c of res.headers.getSetCookie()) await jar.setCookie(c, url.href, { ignoreError: true });
    options.onStep?.({ kind, method, url: url.href, status: res.status, ms: Math.round(performance.now() - t0) });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (!location) return { ok: false, kind: 'http_error', message: `${res.status} from ${url.href} without a Location header`, consentScreens };
      url = new URL(location, url);
      method = 'GET';
      body = undefined;
      kind = 'navigate';
      continue;
    }
    const html = await res.text();
    const form = chooseForm(html, url, options.credentials);
    if (res.status >= 400) {
      // A login page answered with 4xx right after our credentials: the IdP refused them.
      if (kind === 'login' && form?.isLogin)
        return { ok: false, kind: 'login_failed', message: `the login at ${url.origin} was refused: ${textSnippet(html)}`, consentScreens };
      return { ok: false, kind: 'http_error', message: `${res.status} from ${url.origin}${url.pathname}: ${textSnippet(html)}`, consentScreens };
    }
    if (!form) return { ok: false, kind: 'stuck', message: `no form to submit at ${url.origin}${url.pathname}: ${textSnippet(html)}`, consentScreens };
    // SAML HTTP-POST binding: the IdP's auto-submitting form to our ACS is the end of the flow, not a consent.
    if (form.method === 'POST' && !form.isLogin && isRedirectTarget(form.action, options.redirectUri))
      return { ok: true, callbackUrl: form.action, consentScreens, loginForms, form: form.fields };
    if (form.isLogin) {
      // A login form right after we submitted one means the credentials were refused.
      if (kind === 'login' || loginForms >= 3)
        return { ok: false, kind: 'login_failed', message: `the login at ${url.origin} was refused: ${textSnippet(html)}`, consentScreens };
      loginForms++;
      kind = 'login';
    } else {
      if (!options.approveConsent) return { ok: false, kind: 'consent_required', message: `a consent screen at ${url.origin} needs a human`, consentScreens };
      consentScreens++;
      kind = 'consent';
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
  return { ok: false, kind: 'stuck', message: `no redirect to ${options.redirectUri} after ${options.maxSteps} steps`, consentScreens };
}

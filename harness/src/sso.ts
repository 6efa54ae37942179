/**
 * Headless SSO (leg 1): OIDC authorization code + PKCE (RFC 7636) against the IdP's real HTML login
 * form, with a cookie jar and no browser. The harness brings its own user agent rather than the
 * sample client's, so it can load and probe the IdP independently of the client under test.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parse as parseHtml } from 'node-html-parser';
import { CookieJar } from 'tough-cookie';
import { basic, form, type HttpResponse, json, send } from './http.ts';

export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  [k: string]: unknown;
}

const metadataCache = new Map<string, Promise<OidcMetadata>>();

export function discover(issuer: string): Promise<OidcMetadata> {
  let m = metadataCache.get(issuer);
  if (!m) {
    m = send(`${issuer}/.well-known/openid-configuration`).then((r) => {
      if (r.status !== 200) throw new Error(`discovery at ${issuer} answered ${r.status}`);
      return json<OidcMetadata>(r);
    });
    m.catch(() => metadataCache.delete(issuer));
    metadataCache.set(issuer, m);
  }
  return m;
}

export interface SsoClient {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

/** A browser-like session: cookies plus manual redirect following. */
export class UserAgent {
  readonly jar = new CookieJar();

  async get(url: string): Promise<HttpResponse> {
    return this.request(url, { method: 'GET' });
  }

  async request(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<HttpResponse> {
    const cookie = await this.jar.getCookieString(url);
    const res = await send(url, { ...init, headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
    const setCookie = res.headers['set-cookie'] ?? [];
    for (const c of setCookie) await this.jar.setCookie(c, url, { ignoreError: true });
    return res;
  }
}

export interface LoginForm {
  action: string;
  fields: Record<string, string>;
}

/** The first form on an HTML page that has a password field (the IdP login form, design §3). */
export function findLoginForm(html: string, pageUrl: string): LoginForm | undefined {
  const root = parseHtml(html);
  for (const f of root.querySelectorAll('form')) {
    const inputs = f.querySelectorAll('input');
    if (!inputs.some((i) => i.getAttribute('name') === 'password')) continue;
    const fields: Record<string, string> = {};
    for (const i of inputs) {
      const name = i.getAttribute('name');
      if (name) fields[name] = i.getAttribute('value') ?? '';
    }
    return { action: new URL(f.getAttribute('action') ?? pageUrl, pageUrl).href, fields };
  }
  return undefined;
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface StartedLogin {
  ua: UserAgent;
  form: LoginForm;
  verifier: string;
  state: string;
  /** The URL of the page that showed the form. */
  pageUrl: string;
}

export interface AuthorizationOptions {
  scope?: string;
  /** RFC 8707 resource indicator(s) for the access token. */
  resource?: string;
}

/** Follows redirects from `url` (an app's login route or the authorization endpoint) to the login form. */
export async function followToLoginForm(ua: UserAgent, url: string): Promise<{ form: LoginForm; pageUrl: string }> {
  let at = url;
  for (let hop = 0; hop < 10; hop++) {
    const res = await ua.get(at);
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      at = new URL(res.headers.location, at).href;
      continue;
    }
    const found = res.status === 200 ? findLoginForm(res.body, at) : undefined;
    if (!found) throw new Error(`no login form at ${at} (${res.status}): ${res.body.slice(0, 200)}`);
    return { form: found, pageUrl: at };
  }
  throw new Error('too many redirects before the login form');
}

/** Opens the authorization endpoint and follows redirects to the login form. */
export async function startLogin(issuer: string, client: SsoClient, options: AuthorizationOptions = {}): Promise<StartedLogin> {
  const md = await discover(issuer);
  const { verifier, challenge } = pkce();
  const state = randomBytes(12).toString('base64url');
  const auth = new URL(md.authorization_endpoint);
  auth.search = form({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: client.redirect_uri,
    scope: options.scope ?? 'openid email profile',
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: options.resource,
  });
  const ua = new UserAgent();
  const { form: found, pageUrl } = await followToLoginForm(ua, auth.href);
  return { ua, form: found, verifier, state, pageUrl };
}

export type LoginOutcome = { ok: true; code: string; location: string } | { ok: false; status: number; body: string };

/** Posts the login form and follows redirects until the client's redirect URI carries the code. */
export async function submitLogin(
  started: Pick<StartedLogin, 'ua' | 'form'> & { state?: string },
  client: Pick<SsoClient, 'redirect_uri'>,
  username: string,
  password: string,
): Promise<LoginOutcome> {
  let res = await started.ua.request(started.form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form({ ...started.form.fields, username, password }),
  });
  let url = started.form.action;
  for (let hop = 0; hop < 10; hop++) {
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      const next = new URL(res.headers.location, url);
      if (next.href.startsWith(client.redirect_uri)) {
        const code = next.searchParams.get('code');
        if (code && (started.state === undefined || next.searchParams.get('state') === started.state)) return { ok: true, code, location: next.href };
        return { ok: false, status: res.status, body: next.search };
      }
      url = next.href;
      res = await started.ua.get(url);
      continue;
    }
    return { ok: false, status: res.status, body: res.body };
  }
  return { ok: false, status: res.status, body: 'too many redirects after login' };
}

export interface Tokens {
  id_token: string;
  access_token: string;
  expires_in?: number;
}

/** Headless SSO: ID token (and access token) for `username` at the IdP, as `client`. */
export async function ssoLogin(issuer: string, client: SsoClient, username: string, password: string, options: AuthorizationOptions = {}): Promise<Tokens> {
  const started = await startLogin(issuer, client, options);
  const outcome = await submitLogin(started, client, username, password);
  if (!outcome.ok) throw new Error(`login as ${username} failed (${outcome.status}): ${outcome.body.slice(0, 200)}`);
  const md = await discover(issuer);
  const res = await send(md.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret) },
    body: form({
      grant_type: 'authorization_code',
      code: outcome.code,
      redirect_uri: client.redirect_uri,
      code_verifier: started.verifier,
      resource: options.resource,
    }),
  });
  if (res.status !== 200) throw new Error(`code redemption for ${username} failed (${res.status}): ${res.body.slice(0, 200)}`);
  const t = json<Tokens>(res);
  if (!t.id_token) throw new Error('the token response has no id_token');
  return t;
}

/**
 * Signs in to an app that starts OIDC itself (the console: `/auth/login` → IdP → `/auth/callback`):
 * follows the whole round trip with one cookie jar and returns it, holding the app's session.
 */
export async function appLogin(loginUrl: string, callbackPrefix: string, username: string, password: string): Promise<UserAgent> {
  const ua = new UserAgent();
  const { form: found } = await followToLoginForm(ua, loginUrl);
  const outcome = await submitLogin({ ua, form: found }, { redirect_uri: callbackPrefix }, username, password);
  if (!outcome.ok) throw new Error(`login as ${username} failed (${outcome.status}): ${outcome.body.slice(0, 200)}`);
  let at = outcome.location;
  for (let hop = 0; hop < 5; hop++) {
    const res = await ua.get(at);
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      const next = new URL(res.headers.location, at);
      if (next.origin !== new URL(callbackPrefix).origin) break;
      at = next.href;
      continue;
    }
    if (res.status >= 400) throw new Error(`the app's callback answered ${res.status}: ${res.body.slice(0, 200)}`);
    break;
  }
  return ua;
}

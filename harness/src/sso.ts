/**
 * Headless SSO (leg 1) for the harnesses: OIDC authorization code + PKCE (RFC 7636) against the IdP's
 * real HTML login form, played by the shared headless user agent (@xaa/user-agent) over the
 * harness's own HTTP client, so it loads and probes the IdP independently of the sample client.
 */
import { CookieJar, chooseForm, navigate, pkce, ssoLogin as signIn } from '@xaa/user-agent';
import { form, type HttpResponse, harnessFetch, jsonOnce, send } from './http.ts';

export interface OidcMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  [k: string]: unknown;
}

/** OIDC Discovery 1.0 §4, once per issuer. */
export function discover(issuer: string): Promise<OidcMetadata> {
  return jsonOnce<OidcMetadata>(`${issuer}/.well-known/openid-configuration`, `discovery at ${issuer}`);
}

export interface SsoClient {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
}

/** A browser-like session for requests the user agent does not make itself: its cookies on `send`. */
export class UserAgent {
  readonly jar = new CookieJar();

  async get(url: string): Promise<HttpResponse> {
    return this.request(url, { method: 'GET' });
  }

  async request(url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<HttpResponse> {
    const cookie = this.jar.header(url);
    const res = await send(url, { ...init, headers: { ...init.headers, ...(cookie ? { cookie } : {}) } });
    for (const c of res.headers['set-cookie'] ?? []) await this.jar.cookies.setCookie(c, url, { ignoreError: true });
    return res;
  }
}

export interface LoginForm {
  action: string;
  fields: Record<string, string>;
}

/** The login form on an HTML page (a form with a password field), filled in with `credentials`. */
export function findLoginForm(html: string, pageUrl: string, credentials = { username: '', password: '' }): LoginForm | undefined {
  const choice = chooseForm(html, new URL(pageUrl), credentials);
  if (choice?.kind !== 'login') return undefined;
  return { action: choice.action.href, fields: Object.fromEntries(choice.fields) };
}

export interface StartedLogin {
  ua: UserAgent;
  form: LoginForm;
  /** The URL of the page that showed the form. */
  pageUrl: string;
}

export interface AuthorizationOptions {
  scope?: string;
  /** RFC 8707 resource indicator(s) for the access token. */
  resource?: string;
}

/** Opens the authorization endpoint and follows redirects to the login form (for probes that post to it themselves). */
export async function startLogin(issuer: string, client: SsoClient, options: AuthorizationOptions = {}): Promise<StartedLogin> {
  const md = await discover(issuer);
  const { code_challenge } = pkce();
  const auth = new URL(md.authorization_endpoint);
  auth.search = form({
    client_id: client.client_id,
    response_type: 'code',
    redirect_uri: client.redirect_uri,
    scope: options.scope ?? 'openid email profile',
    state: 's',
    code_challenge,
    code_challenge_method: 'S256',
    resource: options.resource,
  });
  const ua = new UserAgent();
  let at = auth.href;
  for (let hop = 0; hop < 10; hop++) {
    const res = await ua.get(at);
    if (res.status >= 300 && res.status < 400 && res.headers.location) {
      at = new URL(res.headers.location, at).href;
      continue;
    }
    const found = res.status === 200 ? findLoginForm(res.body, at) : undefined;
    if (!found) throw new Error(`no login form at ${at} (${res.status}): ${res.body.slice(0, 200)}`);
    return { ua, form: found, pageUrl: at };
  }
  throw new Error('too many redirects before the login form');
}

export type LoginOutcome = { ok: true; location: string } | { ok: false; status: number; body: string };

/** Signs in on the started login's page (its cookies) and follows the flow to the client's redirect URI. */
export async function submitLogin(started: StartedLogin, client: Pick<SsoClient, 'redirect_uri'>, username: string, password: string): Promise<LoginOutcome> {
  const nav = await navigate(started.pageUrl, {
    fetch: harnessFetch,
    jar: started.ua.jar,
    redirectUri: client.redirect_uri,
    credentials: { username, password },
  });
  if (nav.ok) return { ok: true, location: nav.callbackUrl.href };
  return { ok: false, status: nav.status ?? 0, body: nav.body ?? nav.message };
}

export interface Tokens {
  id_token: string;
  access_token: string;
  expires_in?: number;
}

/** Headless SSO: ID token (and access token) for `username` at the IdP, as `client`. */
export async function ssoLogin(issuer: string, client: SsoClient, username: string, password: string, options: AuthorizationOptions = {}): Promise<Tokens> {
  const { tokens } = await signIn({
    issuer,
    endpoints: await discover(issuer),
    clientId: client.client_id,
    clientSecret: client.client_secret,
    redirectUri: client.redirect_uri,
    username,
    password,
    scope: options.scope ?? 'openid email profile',
    ...(options.resource ? { resources: [options.resource], tokenResource: options.resource } : {}),
    fetch: harnessFetch,
  }).catch((e: Error & { status?: number }) => {
    throw new Error(`login as ${username} failed (${e.status ?? 'no status'}): ${e.message.slice(0, 200)}`);
  });
  if (!tokens.id_token) throw new Error('the token response has no id_token');
  return tokens;
}

/**
 * Signs in to an app that starts OIDC itself (the console: `/auth/login` → IdP → `/auth/callback`):
 * follows the whole round trip with one cookie jar and returns it, holding the app's session.
 */
export async function appLogin(loginUrl: string, callbackPrefix: string, username: string, password: string): Promise<UserAgent> {
  const ua = new UserAgent();
  const nav = await navigate(loginUrl, { fetch: harnessFetch, jar: ua.jar, redirectUri: callbackPrefix, credentials: { username, password } });
  if (!nav.ok) throw new Error(`login as ${username} failed (${nav.status ?? nav.kind}): ${nav.message.slice(0, 200)}`);
  let at = nav.callbackUrl.href;
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

/**
 * Headless SSO against the playground IdP with plain fetch: follow redirects by hand, keep cookies,
 * fill in the IdP's HTML login form (`username`, `password`) and stop at the client's redirect_uri.
 * For tests and benchmarks only — real clients use a browser.
 */
import { createHash, randomBytes } from 'node:crypto';

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  host: string;
}

/** A minimal cookie jar: name/value per host and path; honours deletion (Max-Age=0 / past Expires). */
export class CookieJar {
  private cookies: StoredCookie[] = [];

  store(url: string | URL, response: Response): void {
    const u = new URL(url);
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = false;
      for (const a of attrs) {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'path' && v) path = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path && c.host === u.host));
      if (!expired) this.cookies.push({ name, value, path, host: u.host });
    }
  }

  header(url: string | URL): string {
    const u = new URL(url);
    return this.cookies
      .filter((c) => c.host === u.host && u.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  clear(): void {
    this.cookies = [];
  }
}

export interface DriveLoginOptions {
  username: string;
  password: string;
  /** Stop when a redirect goes here (the client's redirect_uri). */
  redirectUri: string;
  jar?: CookieJar;
  fetch?: typeof fetch;
  /** Extra request headers (e.g. traceparent). */
  headers?: Record<string, string>;
  maxSteps?: number;
}

export class HeadlessLoginError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly body?: string,
  ) {
    super(message);
    this.name = 'HeadlessLoginError';
  }
}

/** The action of the first POST form that has a password field (the IdP's login form). */
function loginFormAction(html: string): string | undefined {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
    const form = m[0];
    if (!/name="password"[^>]*type="password"|type="password"[^>]*name="password"/i.test(form)) continue;
    const action = /action="([^"]*)"/i.exec(form)?.[1];
    if (action) return action.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
  }
  return undefined;
}

const decode = (v: string) =>
  v
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/**
 * A POST form of hidden fields only, which the page submits itself with JavaScript (oidc-provider's
 * "Submitting Callback" page, e.g. when a login switches the browser session to another user): a
 * browser without JavaScript shows its Continue button; we press it.
 */
function selfSubmittingForm(html: string): { action: string; fields: Record<string, string> } | undefined {
  if (!/\.submit\(\)/.test(html)) return undefined;
  const form = /<form\b[^>]*method="post"[^>]*>[\s\S]*?<\/form>/i.exec(html)?.[0];
  if (!form || /type="(text|password|email)"/i.test(form)) return undefined;
  const action = /action="([^"]*)"/i.exec(form)?.[1];
  if (!action) return undefined;
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input\b[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(m[0])?.[1];
    if (name) fields[decode(name)] = decode(/value="([^"]*)"/i.exec(m[0])?.[1] ?? '');
  }
  return { action: decode(action), fields };
}

/**
 * Walk an authorization request to the callback: returns the callback URL (with `code` and `state`,
 * or `error`). Throws HeadlessLoginError if the IdP answers with something else (e.g. the login is refused).
 */
export async function driveLogin(authorizationUrl: string | URL, options: DriveLoginOptions): Promise<URL> {
  const doFetch = options.fetch ?? fetch;
  const jar = options.jar ?? new CookieJar();
  let url = new URL(authorizationUrl);
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  let submitted = false;
  for (let step = 0; step < (options.maxSteps ?? 20); step++) {
    if (url.href.startsWith(options.redirectUri)) return url;
    const res = await doFetch(url, {
      method,
      redirect: 'manual',
      headers: {
        ...options.headers,
        ...(jar.header(url) ? { cookie: jar.header(url) } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body } : {}),
    });
    jar.store(url, res);
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) throw new HeadlessLoginError(`Redirect without Location from ${url.href}`, res.status);
      url = new URL(location, url);
      method = 'GET';
      body = undefined;
      continue;
    }
    const text = await res.text();
    const auto = res.status === 200 ? selfSubmittingForm(text) : undefined;
    if (auto) {
      url = new URL(auto.action, url);
      method = 'POST';
      body = new URLSearchParams(auto.fields).toString();
      continue;
    }
    const action = res.status === 200 && !submitted ? loginFormAction(text) : undefined;
    if (!action) throw new HeadlessLoginError(`Unexpected ${res.status} from ${url.pathname} during sign-in`, res.status, text.slice(0, 2000));
    url = new URL(action, url);
    method = 'POST';
    body = new URLSearchParams({ username: options.username, password: options.password }).toString();
    submitted = true;
  }
  throw new HeadlessLoginError('Too many redirects during sign-in');
}

export interface PkcePair {
  code_verifier: string;
  code_challenge: string;
  code_challenge_method: 'S256';
}

/** RFC 7636 §4.1-4.2: a verifier and its S256 challenge. */
export function pkce(): PkcePair {
  const code_verifier = randomBytes(32).toString('base64url');
  return { code_verifier, code_challenge: createHash('sha256').update(code_verifier).digest('base64url'), code_challenge_method: 'S256' };
}

export interface SsoLoginOptions {
  issuer: string;
  clientId: string;
  /** Omit for a public client (`none`). */
  clientSecret?: string;
  /** How to send the secret: Basic (default) or in the body. */
  clientAuth?: 'client_secret_basic' | 'client_secret_post';
  redirectUri: string;
  username: string;
  password: string;
  scope?: string;
  /** RFC 8707 resource indicators for the authorization request. */
  resources?: string[];
  /** A resource to request at the token endpoint (e.g. an admin API). */
  tokenResource?: string;
  jar?: CookieJar;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export interface SsoTokens {
  id_token: string;
  access_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  scope?: string;
  [k: string]: unknown;
}

export interface SsoResult {
  tokens: SsoTokens;
  jar: CookieJar;
  tokenEndpoint: string;
  /** The callback URL the IdP redirected to (code, state, iss). */
  callback: URL;
}

/** Authenticate at the token endpoint as the client (RFC 6749 §2.3.1). */
export function clientAuthentication(options: Pick<SsoLoginOptions, 'clientId' | 'clientSecret' | 'clientAuth'>): {
  headers: Record<string, string>;
  body: Record<string, string>;
} {
  if (!options.clientSecret) return { headers: {}, body: { client_id: options.clientId } };
  if (options.clientAuth === 'client_secret_post') return { headers: {}, body: { client_id: options.clientId, client_secret: options.clientSecret } };
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return { headers: { authorization: `Basic ${Buffer.from(`${enc(options.clientId)}:${enc(options.clientSecret)}`).toString('base64')}` }, body: {} };
}

/** Full OIDC code + PKCE sign-in with plain fetch; returns the token response (ID token, refresh token…). */
export async function ssoLogin(options: SsoLoginOptions): Promise<SsoResult> {
  const doFetch = options.fetch ?? fetch;
  const meta = (await (await doFetch(`${options.issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const { code_verifier, code_challenge } = pkce();
  const state = randomBytes(12).toString('base64url');
  const scope = options.scope ?? 'openid offline_access email profile';
  const auth = new URL(meta.authorization_endpoint);
  auth.search = new URLSearchParams({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope,
    state,
    nonce: randomBytes(12).toString('base64url'),
    code_challenge,
    code_challenge_method: 'S256',
    // OIDC Core §11: offline_access is honoured only with prompt=consent (the IdP grants it without a screen).
    ...(scope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
  }).toString();
  for (const r of options.resources ?? []) auth.searchParams.append('resource', r);
  const jar = options.jar ?? new CookieJar();
  const callback = await driveLogin(auth, { ...options, jar, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const code = callback.searchParams.get('code');
  if (!code)
    throw new HeadlessLoginError(
      `The IdP answered ${callback.searchParams.get('error') ?? 'without a code'}: ${callback.searchParams.get('error_description') ?? ''}`,
    );
  if (callback.searchParams.get('state') !== state) throw new HeadlessLoginError('state mismatch');
  const ca = clientAuthentication(options);
  const res = await doFetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...options.headers, ...ca.headers },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: options.redirectUri,
      code_verifier,
      ...ca.body,
      ...(options.tokenResource ? { resource: options.tokenResource } : {}),
    }),
  });
  const tokens = (await res.json()) as SsoTokens & { error?: string; error_description?: string };
  if (!res.ok) throw new HeadlessLoginError(`Token request failed: ${tokens.error} ${tokens.error_description ?? ''}`, res.status);
  return { tokens, jar, tokenEndpoint: meta.token_endpoint, callback };
}

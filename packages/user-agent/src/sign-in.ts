/**
 * Signing in as a user without a browser: OIDC authorization code + PKCE (RFC 7636) against a real
 * HTML login form, driven by `navigate`. For the sample agent's scripts, the scenarios, the harnesses
 * and the tests; an interactive client sends its user to a real browser.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from './cookie-jar.ts';
import { type FetchLike, navigate } from './navigate.ts';

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

export interface DriveLoginOptions {
  username: string;
  password: string;
  /** Stop when a redirect goes here (the client's redirect_uri). */
  redirectUri: string;
  jar?: CookieJar;
  fetch?: FetchLike;
  /** Extra request headers (e.g. traceparent). */
  headers?: Record<string, string>;
  maxSteps?: number;
}

/**
 * Walk an authorization request to the callback: returns the callback URL (with `code` and `state`,
 * or `error`). Throws HeadlessLoginError when the server answers with anything else (a refused login,
 * a consent screen, an error page).
 */
export async function driveLogin(authorizationUrl: string | URL, options: DriveLoginOptions): Promise<URL> {
  const result = await navigate(authorizationUrl, {
    redirectUri: options.redirectUri,
    credentials: { username: options.username, password: options.password },
    approveConsent: false,
    ...(options.jar ? { jar: options.jar } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    ...(options.maxSteps ? { maxSteps: options.maxSteps } : {}),
  });
  if (!result.ok) throw new HeadlessLoginError(result.message, result.status, result.body);
  return result.callbackUrl;
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

export interface ClientCredentials {
  clientId: string;
  /** Omit for a public client (`none`). */
  clientSecret?: string;
  /** How to send the secret: Basic (default) or in the body. */
  clientAuth?: 'client_secret_basic' | 'client_secret_post';
}

/** Authenticate at the token endpoint as the client (RFC 6749 §2.3.1: each part form-urlencoded before base64). */
export function clientAuthentication(options: ClientCredentials): { headers: Record<string, string>; body: Record<string, string> } {
  if (!options.clientSecret) return { headers: {}, body: { client_id: options.clientId } };
  if (options.clientAuth === 'client_secret_post') return { headers: {}, body: { client_id: options.clientId, client_secret: options.clientSecret } };
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return { headers: { authorization: `Basic ${Buffer.from(`${enc(options.clientId)}:${enc(options.clientSecret)}`).toString('base64')}` }, body: {} };
}

export interface SsoLoginOptions extends ClientCredentials {
  issuer: string;
  redirectUri: string;
  username: string;
  password: string;
  scope?: string;
  /** RFC 8707 resource indicators for the authorization request. */
  resources?: string[];
  /** A resource to request at the token endpoint (e.g. an admin API). */
  tokenResource?: string;
  jar?: CookieJar;
  fetch?: FetchLike;
  headers?: Record<string, string>;
  /** The IdP's endpoints when the caller has already discovered them; otherwise read from its discovery document. */
  endpoints?: IdpEndpoints;
}

export interface IdpEndpoints {
  authorization_endpoint: string;
  token_endpoint: string;
}

/** OIDC Discovery 1.0 §4. */
async function discover(issuer: string, doFetch: FetchLike): Promise<IdpEndpoints> {
  const res = await doFetch(`${issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new HeadlessLoginError(`discovery at ${issuer} answered ${res.status}`, res.status);
  return (await res.json()) as IdpEndpoints;
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

/** Full OIDC code + PKCE sign-in; returns the token response (ID token, refresh token…). */
export async function ssoLogin(options: SsoLoginOptions): Promise<SsoResult> {
  const doFetch = options.fetch ?? fetch;
  const meta = options.endpoints ?? (await discover(options.issuer, doFetch));
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
  const callback = await driveLogin(auth, { ...options, jar });
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

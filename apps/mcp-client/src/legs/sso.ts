/**
 * Leg 1 — SSO at the IdP (OIDC authorization code + PKCE S256 + state + nonce;
 * MCP-AUTHZ, EMA §7.5.2), as one of the client apps registered there. The relying-party work is
 * openid-client's: discovery, the authorization URL, and the callback checks (state, PKCE, nonce,
 * RFC 9207 `iss`, ID token signature and claims). The result is the ID token used as the subject
 * token of every token exchange, and the IdP refresh token that renews it (draft-04 §4.4.3).
 */

import { navigate } from '@xaa/user-agent';
import * as oidc from 'openid-client';
import type { AgentApp, AgentConfig } from '../config.ts';
import { headlessStepEmitter } from '../events.ts';
import type { FetchLike } from '../http.ts';

export interface SsoDeps {
  config: AgentConfig;
  fetch: FetchLike;
  /** Seconds since the epoch. */
  now(): number;
}

export interface IdpTokens {
  idToken: string;
  /** `exp` of the ID token (seconds). */
  idTokenExp: number;
  sub: string;
  refreshToken: string | undefined;
}

/** What must survive between the authorization request and the callback (kept in client.db). */
export interface PendingSso {
  app: string;
  /** The user the login is for (a hint; the IdP decides who signs in). */
  user: string | undefined;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export type SsoResult =
  | { ok: true; tokens: IdpTokens; consentScreens: number }
  | { ok: false; kind: 'denied' | 'login_failed' | 'error'; code: string; description: string };

export type RefreshResult =
  | { ok: true; tokens: IdpTokens }
  /** The IdP refused the refresh token (user disabled, session revoked, token expired): log in again. */
  | { ok: false; kind: 'session_ended'; code: string; description: string }
  | { ok: false; kind: 'error'; code: string; description: string };

const configurations = new WeakMap<SsoDeps, Map<string, Promise<oidc.Configuration>>>();

/** openid-client configuration for one app at the IdP (discovery once per deps and app). */
export function idpClient(deps: SsoDeps, app: AgentApp): Promise<oidc.Configuration> {
  let cache = configurations.get(deps);
  if (!cache) {
    cache = new Map();
    configurations.set(deps, cache);
  }
  let config = cache.get(app.name);
  if (!config) {
    const auth = app.idp.client_secret ? oidc.ClientSecretBasic(app.idp.client_secret) : oidc.None();
    const insecure = new URL(deps.config.idp.issuer).protocol === 'http:';
    config = oidc
      .discovery(new URL(deps.config.idp.issuer), app.idp.client_id, { redirect_uris: [deps.config.redirectUri], response_types: ['code'] }, auth, {
        [oidc.customFetch]: (url, init) => deps.fetch(url, init as RequestInit),
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      })
      .catch((e: unknown) => {
        cache.delete(app.name);
        throw e;
      });
    cache.set(app.name, config);
  }
  return config;
}

function failure(e: unknown): { code: string; description: string } {
  const err = e as { error?: unknown; error_description?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  if (typeof err.error === 'string') return { code: err.error, description: typeof err.error_description === 'string' ? err.error_description : '' };
  const cause = err.cause as { message?: unknown } | undefined;
  return {
    code: typeof err.code === 'string' ? err.code : 'error',
    description: `${String(err.message ?? e)}${typeof cause?.message === 'string' ? ` (${cause.message})` : ''}`,
  };
}

function tokensFrom(res: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, previousRefresh?: string): IdpTokens {
  const claims = res.claims();
  if (!res.id_token || !claims) throw new Error('the IdP returned no ID token');
  return { idToken: res.id_token, idTokenExp: claims.exp, sub: claims.sub, refreshToken: res.refresh_token ?? previousRefresh };
}

/** Build the authorization request (PKCE S256, state, nonce). */
export async function beginLogin(deps: SsoDeps, app: AgentApp, user?: string): Promise<{ authorizationUrl: URL; pending: PendingSso }> {
  const config = await idpClient(deps, app);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const pending: PendingSso = { app: app.name, user, state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier };
  const authorizationUrl = oidc.buildAuthorizationUrl(config, {
    redirect_uri: deps.config.redirectUri,
    scope: deps.config.options.ssoScope,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
    // OIDC Core §11: the IdP issues a refresh token for offline_access only with prompt=consent;
    // our IdP treats its own apps as first-party and shows no consent screen (docs/decisions.md §3).
    ...(deps.config.options.ssoScope.split(' ').includes('offline_access') ? { prompt: 'consent' } : {}),
    ...(user ? { login_hint: user } : {}),
  });
  return { authorizationUrl, pending };
}

/** Validate the authorization response and redeem the code (openid-client does every check). */
export async function completeLogin(deps: SsoDeps, app: AgentApp, pending: PendingSso, callbackUrl: URL): Promise<SsoResult> {
  try {
    const config = await idpClient(deps, app);
    const res = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    return { ok: true, tokens: tokensFrom(res), consentScreens: 0 };
  } catch (e) {
    const f = failure(e);
    return { ok: false, kind: f.code === 'access_denied' ? 'denied' : 'error', ...f };
  }
}

/** The headless mode: play the browser through the IdP's login form, then complete the login. */
export async function headlessLogin(deps: SsoDeps, app: AgentApp, credentials: { username: string; password: string }): Promise<SsoResult> {
  let begun: Awaited<ReturnType<typeof beginLogin>>;
  try {
    begun = await beginLogin(deps, app, credentials.username);
  } catch (e) {
    return { ok: false, kind: 'error', ...failure(e) };
  }
  const nav = await navigate(begun.authorizationUrl, {
    fetch: deps.fetch,
    redirectUri: deps.config.redirectUri,
    credentials,
    approveConsent: true,
    maxSteps: deps.config.options.headlessMaxSteps,
    onStep: headlessStepEmitter('sso'),
  });
  if (!nav.ok) return { ok: false, kind: nav.kind === 'login_failed' ? 'login_failed' : 'error', code: nav.kind, description: nav.message };
  const done = await completeLogin(deps, app, begun.pending, nav.callbackUrl);
  return done.ok ? { ...done, consentScreens: nav.consentScreens } : done;
}

/** Renew the ID token with the IdP refresh token (RFC 6749 §6; draft-04 §4.4.3). */
export async function refreshSession(deps: SsoDeps, app: AgentApp, refreshToken: string): Promise<RefreshResult> {
  try {
    const config = await idpClient(deps, app);
    const res = await oidc.refreshTokenGrant(config, refreshToken, { scope: deps.config.options.ssoScope });
    return { ok: true, tokens: tokensFrom(res, refreshToken) };
  } catch (e) {
    const f = failure(e);
    return { ok: false, kind: f.code === 'invalid_grant' ? 'session_ended' : 'error', ...f };
  }
}

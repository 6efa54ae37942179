/**
 * The console as an OIDC relying party of the IdP (openid-client): authorization code + PKCE (S256),
 * state and nonce, an IdP refresh token (`offline_access`), and one RFC 9068 access token per admin
 * API obtained with the refresh_token grant and an RFC 8707 `resource` indicator.
 *
 * Discovery is lazy and retried: the console may start before the IdP answers.
 */
import { ADMIN_SCOPE } from '@xaa/protocol';
import type { Topology } from '@xaa/topology';
import * as oidc from 'openid-client';
import type { AdminUser, CachedToken, PendingLogin } from './sessions.ts';

export interface IdpClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Every admin API the console may call (RFC 8707 resources requested at authorization). */
  resources: readonly string[];
}

export type CallbackResult =
  | { ok: true; user: AdminUser; refreshToken: string | undefined; token: CachedToken; resource: string }
  | { ok: false; reason: 'not_admin' | 'idp_error' | 'invalid_response'; error: string; description: string; user?: AdminUser };

const SCOPE = `openid profile email offline_access ${ADMIN_SCOPE}`;

export class IdpClient {
  private config: Promise<oidc.Configuration> | undefined;
  constructor(readonly options: IdpClientOptions) {}

  static fromTopology(t: Topology): IdpClient {
    return new IdpClient({
      issuer: t.idp.issuer,
      clientId: t.console.client.client_id,
      clientSecret: t.console.client.client_secret,
      redirectUri: t.console.client.redirect_uris[0] ?? `${t.console.url}/auth/callback`,
      resources: [t.idp.admin, ...t.servers.map((s) => s.admin), t.agent.admin],
    });
  }

  private configuration(): Promise<oidc.Configuration> {
    if (!this.config) {
      const { issuer, clientId, clientSecret } = this.options;
      this.config = oidc
        .discovery(new URL(issuer), clientId, { client_secret: clientSecret }, oidc.ClientSecretBasic(clientSecret), {
          // The playground runs on loopback over plain HTTP (docs/decisions.md §3); openid-client refuses that by default.
          execute: [oidc.allowInsecureRequests],
          timeout: 10,
        })
        .catch((e) => {
          this.config = undefined; // retry discovery on the next sign-in
          throw e;
        });
    }
    return this.config;
  }

  /** Start a sign-in: the URL to redirect the browser to, and what to remember until the callback. */
  async authorizationUrl(returnTo: string): Promise<{ url: URL; pending: PendingLogin }> {
    const config = await this.configuration();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const pending: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier, returnTo };
    const params = new URLSearchParams({
      redirect_uri: this.options.redirectUri,
      response_type: 'code',
      scope: SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      prompt: 'login consent',
    });
    // RFC 8707 §2.1: name every API the tokens of this grant may be used at.
    for (const r of this.options.resources) params.append('resource', r);
    return { url: oidc.buildAuthorizationUrl(config, params), pending };
  }

  /** Finish a sign-in: exchange the code and get the IdP admin-API token, which only admins obtain. */
  async callback(currentUrl: URL, pending: PendingLogin): Promise<CallbackResult> {
    const config = await this.configuration();
    const idpAdmin = this.options.resources[0] as string;
    const err = currentUrl.searchParams.get('error');
    if (err) {
      const description = currentUrl.searchParams.get('error_description') ?? '';
      return { ok: false, reason: err === 'access_denied' ? 'not_admin' : 'idp_error', error: err, description };
    }
    let response: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      response = await oidc.authorizationCodeGrant(
        config,
        currentUrl,
        { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true },
        { resource: idpAdmin },
      );
    } catch (e) {
      return describeFailure(e);
    }
    const claims = response.claims();
    const user: AdminUser = {
      sub: String(claims?.sub ?? ''),
      username: String(claims?.preferred_username ?? claims?.sub ?? ''),
      ...(typeof claims?.name === 'string' ? { name: claims.name } : {}),
      ...(typeof claims?.email === 'string' ? { email: claims.email } : {}),
    };
    const scope = response.scope ?? '';
    if (!scope.split(' ').includes(ADMIN_SCOPE))
      return {
        ok: false,
        reason: 'not_admin',
        error: 'access_denied',
        description: `The IdP did not grant ${ADMIN_SCOPE}: this user is not an IdP administrator.`,
        user,
      };
    return { ok: true, user, refreshToken: response.refresh_token, token: toCached(response), resource: idpAdmin };
  }

  /** A fresh access token for one admin API (refresh_token grant + RFC 8707 `resource`). */
  async tokenFor(refreshToken: string, resource: string): Promise<{ token: CachedToken; refreshToken: string | undefined }> {
    const config = await this.configuration();
    const response = await oidc.refreshTokenGrant(config, refreshToken, { resource, scope: ADMIN_SCOPE });
    return { token: toCached(response), refreshToken: response.refresh_token };
  }

  async endSessionUrl(postLogoutRedirectUri: string): Promise<URL | undefined> {
    try {
      const config = await this.configuration();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return oidc.buildEndSessionUrl(config, { client_id: this.options.clientId, post_logout_redirect_uri: postLogoutRedirectUri });
    } catch {
      return undefined;
    }
  }

  async revoke(refreshToken: string): Promise<void> {
    try {
      const config = await this.configuration();
      if (config.serverMetadata().revocation_endpoint) await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    } catch {
      // best effort: the session row is deleted either way
    }
  }
}

function toCached(response: oidc.TokenEndpointResponse): CachedToken {
  const expiresIn = typeof response.expires_in === 'number' ? response.expires_in : 300;
  return { access_token: response.access_token, exp: Math.floor(Date.now() / 1000) + expiresIn, scope: response.scope ?? '' };
}

function describeFailure(e: unknown): CallbackResult {
  if (e instanceof oidc.ResponseBodyError) {
    return {
      ok: false,
      reason: e.error === 'access_denied' || e.error === 'invalid_scope' ? 'not_admin' : 'idp_error',
      error: e.error,
      description: e.error_description ?? '',
    };
  }
  if (e instanceof oidc.AuthorizationResponseError)
    return { ok: false, reason: e.error === 'access_denied' ? 'not_admin' : 'idp_error', error: e.error, description: e.error_description ?? '' };
  const message = e instanceof Error ? e.message : String(e);
  return { ok: false, reason: 'invalid_response', error: 'invalid_response', description: message };
}

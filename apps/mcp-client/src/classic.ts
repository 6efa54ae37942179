/**
 * The classic MCP authorization flow — "before XAA": authorization code + PKCE at the server's own AS
 * with a consent screen, the client pre-registered or registered on the fly (RFC 7591 DCR). It runs
 * only for servers whose AS does not redeem ID-JAGs (EMA §6), or when asked for (`--classic`); never as
 * a fallback after an IdP denial. The OAuth work is the MCP SDK's `auth()`; this module supplies the
 * `OAuthClientProvider` (credentials and tokens in client.db) and drives the browser part: headless
 * (forms filled and consent approved, each consent screen counted) or interactive (the user's browser
 * comes back to the agent's `/callback`).
 */
import { randomBytes } from 'node:crypto';
import {
  auth,
  type OAuthClientInformationContext,
  type OAuthClientMetadata,
  type OAuthClientProvider,
  type OAuthDiscoveryState,
  type StoredOAuthClientInformation,
  type StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import { navigate } from '@xaa/user-agent';
import type { AgentApp, AppRegistration } from './config.ts';
import { headlessStepEmitter } from './events.ts';
import type { FetchLike } from './http.ts';
import type { ClientStore } from './store.ts';

/** What survives between the redirect and the callback in interactive mode (client.db `pending_auth`). */
export interface ClassicState {
  codeVerifier?: string | undefined;
  discovery?: OAuthDiscoveryState | undefined;
}

export interface ClassicProviderOptions {
  store: ClientStore;
  app: AgentApp;
  redirectUri: string;
  /** Pre-registered credentials at this AS, and the issuer they belong to. */
  preRegistered?: { registration: AppRegistration; issuer: string } | undefined;
  state: string;
  initialTokens?: StoredOAuthTokens | undefined;
  restored?: ClassicState | undefined;
  onTokens?: (tokens: StoredOAuthTokens, issuer: string | undefined) => void | Promise<void>;
}

export class ClassicProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined;
  private tokenSet: StoredOAuthTokens | undefined;
  private verifier: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;

  constructor(private readonly o: ClassicProviderOptions) {
    this.tokenSet = o.initialTokens;
    this.verifier = o.restored?.codeVerifier;
    this.discovery = o.restored?.discovery;
  }

  get redirectUrl(): string {
    return this.o.redirectUri;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.o.app.title,
      redirect_uris: [this.o.redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    };
  }

  state(): string {
    return this.o.state;
  }

  clientInformation(ctx?: OAuthClientInformationContext): StoredOAuthClientInformation | undefined {
    const pre = this.o.preRegistered;
    // Stamped with the issuer it was registered at: the SDK refuses to send it anywhere else (SEP-2352).
    if (pre)
      return {
        client_id: pre.registration.client_id,
        ...(pre.registration.client_secret ? { client_secret: pre.registration.client_secret } : {}),
        issuer: pre.issuer,
      };
    if (!ctx) return undefined;
    return this.o.store.getAsClient(ctx.issuer, this.o.app.name) as StoredOAuthClientInformation | undefined;
  }

  saveClientInformation(info: StoredOAuthClientInformation, ctx?: OAuthClientInformationContext): void {
    const issuer = ctx?.issuer ?? info.issuer;
    if (issuer && !this.o.preRegistered) this.o.store.saveAsClient(issuer, this.o.app.name, { ...info, issuer });
  }

  tokens(): StoredOAuthTokens | undefined {
    return this.tokenSet;
  }

  async saveTokens(tokens: StoredOAuthTokens, ctx?: OAuthClientInformationContext): Promise<void> {
    this.tokenSet = tokens;
    await this.o.onTokens?.(tokens, ctx?.issuer ?? tokens.issuer);
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }

  saveCodeVerifier(v: string): void {
    this.verifier = v;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier for this authorization response');
    return this.verifier;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.tokenSet = undefined;
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.discovery = undefined;
    if ((scope === 'all' || scope === 'client') && !this.o.preRegistered && this.discovery?.authorizationServerMetadata?.issuer) {
      this.o.store.deleteAsClient(this.discovery.authorizationServerMetadata.issuer, this.o.app.name);
    }
  }

  saved(): ClassicState {
    return { codeVerifier: this.verifier, discovery: this.discovery };
  }
}

export function newState(): string {
  return randomBytes(24).toString('base64url');
}

export type ClassicResult =
  | { outcome: 'ok'; tokens: StoredOAuthTokens; issuer: string | undefined; consentScreens: number }
  /** Interactive: the user must open `authorizationUrl`; the agent's `/callback` finishes the flow. */
  | { outcome: 'pending'; authorizationUrl: URL; state: string; saved: ClassicState }
  | { outcome: 'denied' | 'error'; code: string; description: string; consentScreens: number };

function sdkFailure(e: unknown): { code: string; description: string } {
  const err = e as { code?: unknown; error?: unknown; message?: unknown };
  const code = typeof err.error === 'string' ? err.error : typeof err.code === 'string' ? err.code : 'classic_failed';
  return { code, description: String(err.message ?? e) };
}

/**
 * Run the classic flow up to tokens. Headless: the headless browser passes the AS's pages (and the
 * IdP's, if the AS federates its login) and the consent screen; interactive: returns `pending`.
 */
export async function runClassic(
  provider: ClassicProvider,
  options: {
    serverUrl: string;
    fetch: FetchLike;
    scope?: string | undefined;
    headless?: { credentials: { username: string; password: string }; maxSteps: number } | undefined;
  },
): Promise<ClassicResult> {
  let issuer: string | undefined;
  try {
    const first = await auth(provider, { serverUrl: options.serverUrl, fetchFn: options.fetch, ...(options.scope ? { scope: options.scope } : {}) });
    issuer = provider.discoveryState()?.authorizationServerMetadata?.issuer;
    if (first === 'AUTHORIZED') {
      const tokens = provider.tokens();
      if (tokens) return { outcome: 'ok', tokens, issuer, consentScreens: 0 };
    }
  } catch (e) {
    return { outcome: 'error', ...sdkFailure(e), consentScreens: 0 };
  }
  const authorizationUrl = provider.authorizationUrl;
  if (!authorizationUrl) return { outcome: 'error', code: 'no_authorization_url', description: 'the SDK produced no authorization request', consentScreens: 0 };
  if (!options.headless) return { outcome: 'pending', authorizationUrl, state: provider.state(), saved: provider.saved() };

  const nav = await navigate(authorizationUrl, {
    fetch: options.fetch,
    redirectUri: provider.redirectUrl,
    credentials: options.headless.credentials,
    approveConsent: true,
    maxSteps: options.headless.maxSteps,
    onStep: headlessStepEmitter('classic'),
  });
  if (!nav.ok) return { outcome: 'error', code: nav.kind, description: nav.message, consentScreens: nav.consentScreens };
  const done = await finishClassic(provider, { serverUrl: options.serverUrl, fetch: options.fetch, callbackUrl: nav.callbackUrl });
  return done.outcome === 'ok' ? { ...done, consentScreens: nav.consentScreens } : { ...done, consentScreens: nav.consentScreens };
}

/** The authorization response: check `state` (CSRF), surface `error`, redeem the code (SDK: PKCE, RFC 9207 `iss`). */
export async function finishClassic(
  provider: ClassicProvider,
  options: { serverUrl: string; fetch: FetchLike; callbackUrl: URL },
): Promise<
  | { outcome: 'ok'; tokens: StoredOAuthTokens; issuer: string | undefined; consentScreens: number }
  | { outcome: 'denied' | 'error'; code: string; description: string; consentScreens: number }
> {
  const q = options.callbackUrl.searchParams;
  if (q.get('state') !== provider.state())
    return { outcome: 'error', code: 'invalid_state', description: 'the authorization response does not carry the state we sent', consentScreens: 0 };
  const error = q.get('error');
  if (error) return { outcome: error === 'access_denied' ? 'denied' : 'error', code: error, description: q.get('error_description') ?? '', consentScreens: 0 };
  const code = q.get('code');
  if (!code) return { outcome: 'error', code: 'invalid_request', description: 'the authorization response has neither code nor error', consentScreens: 0 };
  try {
    const r = await auth(provider, { serverUrl: options.serverUrl, authorizationCode: code, iss: q.get('iss') ?? undefined, fetchFn: options.fetch });
    const tokens = provider.tokens();
    if (r !== 'AUTHORIZED' || !tokens) return { outcome: 'error', code: 'not_authorized', description: 'the code was not redeemed', consentScreens: 0 };
    return { outcome: 'ok', tokens, issuer: provider.discoveryState()?.authorizationServerMetadata?.issuer, consentScreens: 0 };
  } catch (e) {
    return { outcome: 'error', ...sdkFailure(e), consentScreens: 0 };
  }
}

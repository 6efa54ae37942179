/**
 * One path from an `OAuthError` (packages/protocol) to the wire at an oidc-provider host:
 *
 * - `toProviderError` turns it into the provider's own error class, so oidc-provider renders the
 *   RFC 6749 §5.2 body with `Cache-Control: no-store` (its token route sets it) and emits its
 *   `grant.error` event; the OAuthError travels along, so extra response parameters it carries
 *   (`params`, e.g. draft-04 §9.2 `max_age`) reach the body.
 * - `renderOAuthError` writes the same answer from a plain Koa middleware (host validation).
 * - `reshapeProviderError` corrects two of oidc-provider's own token-endpoint answers to the
 *   RFC 6749 §5.2 codes, judged from its error class and the request (never its message text):
 *   no client authentication at all is `invalid_client` (401 with a challenge), and a grant type the
 *   client is not registered for is `unauthorized_client`.
 */
import { InvalidClient, NO_STORE_HEADERS, type OAuthError, UnauthorizedClient } from '@xaa/protocol';
import type { Context } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';

const ORIGIN = Symbol('oauth-error');

export type ProviderError = InstanceType<typeof errors.OIDCProviderError> & { error_description?: string; [ORIGIN]?: OAuthError };

/** An OAuth error as oidc-provider renders it (RFC 6749 §5.2); the original rides along. */
export function toProviderError(e: OAuthError): ProviderError {
  const err = new errors.OIDCProviderError(e.status, e.error) as ProviderError;
  err.error_description = e.error_description;
  // Every OAuthError is caller-safe (its detail and cause never reach the wire), 5xx ones included:
  // `temporarily_unavailable` keeps its code; an unknown failure is already a generic ServerError.
  err.expose = true;
  err[ORIGIN] = e;
  return err;
}

/** The OAuthError a provider error was made from, if any. */
export function oauthErrorOf(err: unknown): OAuthError | undefined {
  return (err as ProviderError | undefined)?.[ORIGIN];
}

/** RFC 6749 §5.2 from a Koa middleware: status, JSON body (with the error's extra parameters), no-store. */
export function renderOAuthError(ctx: Context, e: OAuthError, challenge?: string): void {
  ctx.status = e.status;
  for (const [k, v] of Object.entries(NO_STORE_HEADERS)) ctx.set(k, v);
  if (challenge && e.status === 401) ctx.set('WWW-Authenticate', challenge);
  ctx.body = e.toJSON();
}

const CLIENT_AUTH_PARAMS = ['client_id', 'client_assertion', 'client_secret'] as const;

/**
 * Called from the provider's `grant.error` event (after its renderer set the body, before the
 * response leaves): adds the OAuthError's extra parameters, and rewrites the two answers above.
 * Returns the error as the wire now states it, so listeners report what the caller was told.
 */
export function reshapeProviderError<E extends Error>(ctx: KoaContextWithOIDC, err: E, realm: string): E | ProviderError {
  const body = ctx.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return err; // an HTML error page
  const origin = oauthErrorOf(err);
  if (origin) {
    ctx.body = origin.toJSON();
    return err;
  }
  if (!(err instanceof errors.InvalidRequest)) return err;
  // Refused before its parameters were read (e.g. a body that is not a form): not about the client.
  if (ctx.oidc?.params === undefined) return err;
  const params = ctx.oidc.params as Record<string, unknown>;
  const client = ctx.oidc.client;
  const sentAuth = ctx.get('authorization') !== '' || CLIENT_AUTH_PARAMS.some((p) => params[p] !== undefined && params[p] !== '');
  if (!client && !sentAuth) {
    const wire = toProviderError(
      new InvalidClient('Client authentication is required (client_secret_basic, client_secret_post or private_key_jwt).', { specRef: 'RFC 6749 §5.2' }),
    );
    ctx.status = 401;
    ctx.set('WWW-Authenticate', `Basic realm="${realm.replace(/"/g, '')}"`);
    ctx.body = (oauthErrorOf(wire) as OAuthError).toJSON();
    return wire;
  }
  const grantType = params.grant_type;
  // oidc-provider's allowedGrantTypeCheck refuses exactly this (as invalid_request).
  if (client && typeof grantType === 'string' && !client.grantTypeAllowed(grantType)) {
    const wire = toProviderError(new UnauthorizedClient('This client is not registered for this grant type.', { specRef: 'RFC 6749 §5.2' }));
    ctx.body = (oauthErrorOf(wire) as OAuthError).toJSON();
    return wire;
  }
  return err;
}

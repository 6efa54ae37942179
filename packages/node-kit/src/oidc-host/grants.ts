/**
 * The token endpoint of an oidc-provider host. `hostProvider` installs, once per provider, what
 * every host used to write itself: the `grant.error` and `server_error` listeners, the error
 * reshaping of `reshapeProviderError`, and the handled-set. `registerGrant(provider, module)` then
 * plugs a grant module — `{ grantType, parameters, allowedDuplicateParameters?, handler,
 * refusedBeforeHandler? }` — in with `registerGrantType`:
 *
 * - a request whose handler ran reports its own refusals; one that oidc-provider refused earlier
 *   (client authentication, duplicated parameters, scope syntax) goes to the module's
 *   `refusedBeforeHandler`, once; a refusal for a grant type no module owns (authorization_code,
 *   refresh_token) goes to the host's `onOtherGrantError`;
 * - an `OAuthError` thrown by the handler is rendered through `toProviderError`; anything else is a
 *   `server_error`, logged once by the `server_error` listener with the host's label (the wire gets
 *   no stack and no message).
 */
import { isOAuthError, ServerError } from '@xaa/protocol';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { reuseClientsByPayload } from './adapter.ts';
import { oauthErrorOf, reshapeProviderError, toProviderError } from './errors.ts';

export type ProviderErrorLike = Error & { error?: string; error_description?: string };

export interface GrantModule {
  grantType: string;
  parameters: readonly string[];
  allowedDuplicateParameters?: readonly string[];
  handler(ctx: KoaContextWithOIDC): Promise<void>;
  /** A request for this grant that oidc-provider refused before the handler ran. */
  refusedBeforeHandler?(ctx: KoaContextWithOIDC, err: ProviderErrorLike): void;
}

export interface HostOptions {
  /** The `realm` of the 401 `invalid_client` challenge (RFC 6749 §5.2): the issuer. */
  realm: string;
  /** Prefix of the host's log lines, e.g. `idp` or `as:tasks`. */
  label: string;
  /** A token-endpoint refusal for a grant type no registered module owns. */
  onOtherGrantError?(ctx: KoaContextWithOIDC, err: ProviderErrorLike, grantType: string | undefined): void;
}

interface HostState {
  options: HostOptions;
  handled: WeakSet<object>;
  modules: Map<string, GrantModule>;
}

const hosts = new WeakMap<Provider, HostState>();

/** The grant type of a token request, also when it was refused before its parameters were read. */
function grantTypeOf(ctx: KoaContextWithOIDC): string | undefined {
  const params = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
  // Before parameter parsing (e.g. a failed client authentication) only the raw body has it.
  const body = ((ctx.oidc as unknown as { body?: Record<string, unknown> } | undefined)?.body ?? {}) as Record<string, unknown>;
  const grantType = params.grant_type ?? body.grant_type;
  return typeof grantType === 'string' ? grantType : undefined;
}

/** Install the host's token-endpoint error handling (once per provider). */
export function hostProvider(provider: Provider, options: HostOptions): void {
  if (hosts.has(provider)) throw new Error('hostProvider: this provider already has a host');
  const state: HostState = { options, handled: new WeakSet(), modules: new Map() };
  hosts.set(provider, state);
  reuseClientsByPayload(provider);
  provider.on('grant.error', (ctx: KoaContextWithOIDC, raised: ProviderErrorLike) => {
    const err: ProviderErrorLike = reshapeProviderError(ctx, raised, options.realm);
    const grantType = grantTypeOf(ctx);
    const module = grantType === undefined ? undefined : state.modules.get(grantType);
    if (!module) options.onOtherGrantError?.(ctx, err, grantType);
    else if (!state.handled.has(ctx.req)) module.refusedBeforeHandler?.(ctx, err);
  });
  // A server_error is a bug: always visible in the log (the wire gets oidc-provider's generic body).
  // One a step raised on purpose (an injected fault) has no cause and is in the flow log already.
  provider.on('server_error', (_ctx: unknown, err: Error) => {
    const origin = oauthErrorOf(err);
    if (origin && origin.cause === undefined) return;
    console.error(`[${options.label}] server_error:`, origin?.cause ?? err);
  });
}

/** Plug a grant module into a provider set up by `hostProvider`. */
export function registerGrant(provider: Provider, module: GrantModule): void {
  const state = hosts.get(provider);
  if (!state) throw new Error('registerGrant: call hostProvider(provider, options) first');
  state.modules.set(module.grantType, module);
  provider.registerGrantType(
    module.grantType,
    async (ctx: KoaContextWithOIDC) => {
      state.handled.add(ctx.req);
      try {
        await module.handler(ctx);
      } catch (e) {
        throw toProviderError(isOAuthError(e) ? e : new ServerError('The request could not be completed.', { cause: e }));
      }
    },
    [...module.parameters],
    module.allowedDuplicateParameters ? [...module.allowedDuplicateParameters] : undefined,
  );
}

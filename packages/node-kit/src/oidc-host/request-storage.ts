/**
 * oidc-provider's per-request AsyncLocalStorage, left out where nothing reads it.
 *
 * For every request, oidc-provider runs the rest of its middleware inside an AsyncLocalStorage holding
 * the Koa context (`ensureOIDC` in its lib/helpers/initialize_app.js). The only readers are a few
 * places in its model code that call configuration hooks without a context at hand (listed below).
 * On Node 20 and 22 the first `run` of any AsyncLocalStorage turns on V8's promise hooks for the whole
 * thread, for good. From then on every promise of every request, ours and the MCP SDK's included, pays
 * an init hook and a context copy. Measured at 100 concurrent full flows (`pnpm harness:load`, runs
 * interleaved): 5–10 % of the server CPU per flow, on the IdP's thread and on the sample servers'
 * thread; 4–11 % more token exchanges per second in `pnpm bench token-exchange-vs-mock`.
 * Node 24 keeps the store in V8's continuation data instead and does not pay this.
 *
 * What reads the store in oidc-provider 9 (all of `als.getStore()`; test/oidc-host/request-storage
 * fails when an upgrade adds a reader, so that it is reviewed here):
 * - `Provider.ctx`: no code here uses it;
 * - the client ID metadata document feature: it must stay disabled;
 * - `formats.customizers.jwt` and `pairwiseIdentifier`: none may be configured;
 * - the `ttl` functions and `extraTokenClaims`, called with the context as their first argument:
 *   they get `undefined` instead, so they must not read it. Ours read settings, never the
 *   request. The defaults that do read it (`ttl.RefreshToken`, `ttl.BackchannelAuthenticationRequest`)
 *   must be replaced, or their feature left off.
 *
 * `withoutRequestStorage(configuration)` checks what a configuration can show of this and throws
 * on a conflict. Otherwise it turns the store off for the thread and returns the configuration.
 */
/// <reference path="./oidc-provider-als.d.ts" />
import type { Configuration } from 'oidc-provider';
// The store oidc-provider's own modules import (the package has no `exports` map; one module instance).
import requestStorage from 'oidc-provider/lib/helpers/als.js';

type Features = NonNullable<Configuration['features']> & {
  clientIdMetadataDocument?: { enabled?: boolean };
  ciba?: { enabled?: boolean };
};

/** Why a configuration needs oidc-provider's per-request store; empty when it does not. */
export function requestStorageReaders(configuration: Configuration): string[] {
  const readers: string[] = [];
  const features = (configuration.features ?? {}) as Features;
  if (features.clientIdMetadataDocument?.enabled) readers.push('features.clientIdMetadataDocument is enabled');
  const formats = configuration.formats as { customizers?: Record<string, unknown> } | undefined;
  for (const [name, customizer] of Object.entries(formats?.customizers ?? {})) if (customizer) readers.push(`formats.customizers.${name} is configured`);
  if ([...(configuration.subjectTypes ?? [])].includes('pairwise')) readers.push("subjectTypes includes 'pairwise' (pairwiseIdentifier)");
  const ttl = (configuration.ttl ?? {}) as Record<string, unknown>;
  if (ttl.RefreshToken === undefined) readers.push('ttl.RefreshToken is the default, which reads the request');
  if (features.ciba?.enabled && ttl.BackchannelAuthenticationRequest === undefined)
    readers.push('ttl.BackchannelAuthenticationRequest is the default, which reads the request');
  return readers;
}

/** `run(store, fn, ...args)` without entering the store: `fn` runs as it would, `getStore()` stays undefined. */
const runWithoutStore = (_store: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) => fn(...args);

/** The configuration, once checked; oidc-provider's per-request store is off for this thread from then on. */
export function withoutRequestStorage<C extends Configuration>(configuration: C): C {
  const readers = requestStorageReaders(configuration);
  if (readers.length) throw new Error(`oidc-provider's per-request context is read by this configuration: ${readers.join('; ')}`);
  (requestStorage as { run: unknown }).run = runWithoutStore;
  return configuration;
}

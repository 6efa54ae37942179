/**
 * oidc-provider client metadata built from the directory's apps, read on every lookup (so an admin
 * change applies to the next request). Every app may present the token-exchange grant to oidc-provider;
 * whether it may actually obtain ID-JAGs is the handler's `unauthorized_client` decision (docs/decisions.md §4).
 */

import { ClientRecordsAdapter } from '@xaa/node-kit/oidc-host';
import { GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_TOKEN_EXCHANGE, type SigningAlgorithm } from '@xaa/protocol';
import type { AdapterPayload, ClientMetadata } from 'oidc-provider';
import type { AppRecord, DirectoryStore } from '../db/directory.ts';

export function clientMetadata(app: AppRecord, alg: SigningAlgorithm): ClientMetadata {
  const ops = app.kind === 'ops';
  // One object literal per lookup (this runs on every token request); arrays are copies: the directory's
  // records are shared, frozen values, and oidc-provider keeps what it is given.
  const metadata: ClientMetadata = {
    client_id: app.client_id,
    client_name: app.title,
    token_endpoint_auth_method: app.token_endpoint_auth_method,
    id_token_signed_response_alg: alg,
    require_auth_time: true,
    grant_types: ops ? [GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_TOKEN_EXCHANGE] : ['authorization_code', 'refresh_token', GRANT_TYPE_TOKEN_EXCHANGE],
    response_types: ops ? [] : ['code'],
    redirect_uris: ops ? [] : [...app.redirect_uris],
  };
  if (!ops) metadata.post_logout_redirect_uris = [...app.post_logout_redirect_uris];
  if (app.client_secret && app.token_endpoint_auth_method !== 'none' && app.token_endpoint_auth_method !== 'private_key_jwt')
    metadata.client_secret = app.client_secret;
  if (app.jwks) metadata.jwks = structuredClone(app.jwks) as ClientMetadata['jwks'];
  return metadata;
}

/** Read-only adapter for the `Client` model. Disabled apps do not exist for oidc-provider (invalid_client). */
export class ClientAdapter extends ClientRecordsAdapter {
  constructor(
    private readonly directory: DirectoryStore,
    private readonly alg: () => SigningAlgorithm,
  ) {
    super();
  }

  /**
   * The payload built from each app record, for as long as the directory hands out that record (it
   * replaces records on every write): the same object each time lets node-kit's `reuseClientsByPayload`
   * skip oidc-provider's per-lookup hash of it.
   */
  private readonly payloads = new WeakMap<AppRecord, { alg: SigningAlgorithm; payload: AdapterPayload }>();

  async find(id: string): Promise<AdapterPayload | undefined> {
    const app = this.directory.getApp(id);
    if (!app || app.disabled) return undefined;
    const alg = this.alg();
    const hit = this.payloads.get(app);
    if (hit && hit.alg === alg) return hit.payload;
    const payload = clientMetadata(app, alg) as AdapterPayload;
    this.payloads.set(app, { alg, payload });
    return payload;
  }

  async upsert(): Promise<void> {
    throw new Error('clients are managed through the admin API');
  }
}

/**
 * First step of issuance: the client. oidc-provider has authenticated it (client_secret_basic,
 * client_secret_post, private_key_jwt — or `none`, which it allows only for clients registered with
 * `token_endpoint_auth_method: none`). Here: the app must exist, be enabled and be allowed token
 * exchange (`unauthorized_client`, RFC 6749 §5.2).
 */
import { UnauthorizedClient } from '@xaa/protocol';
import type { ExchangeState } from './exchange-state.ts';

export function authenticateClient(state: ExchangeState): void {
  const app = state.idp.directory.getApp(state.client.id);
  if (app?.kind !== 'app' || !app.token_exchange || app.disabled)
    throw new UnauthorizedClient('This client is not allowed to request ID-JAGs by token exchange.', {
      code: 'ERR_CLIENT_NO_TOKEN_EXCHANGE',
      specRef: 'RFC 6749 §5.2',
    });
  state.client.app = app;
}

/**
 * First step of issuance: the client. oidc-provider has authenticated it (client_secret_basic,
 * client_secret_post, private_key_jwt — or `none`, which it allows only for clients registered with
 * `token_endpoint_auth_method: none`). Here: the app must exist, be enabled and be allowed token
 * exchange (`unauthorized_client`, RFC 6749 §5.2); an unauthenticated client must be an app
 * registered public (`invalid_client` otherwise), and its exchange carries a warning in the decision
 * trace — EMA §7.7 requires client authentication at token exchange.
 */
import type { TraceStep } from '@xaa/policy';
import { InvalidClient, UnauthorizedClient } from '@xaa/protocol';
import type { ExchangeState } from './exchange-state.ts';

export const PUBLIC_CLIENT_WARNING = 'public client — EMA §7.7 requires client authentication at token exchange';

export function publicClientWarning(clientTitle: string): TraceStep {
  return { check: 'client.authenticated', outcome: 'warn', detail: `${clientTitle}: ${PUBLIC_CLIENT_WARNING}` };
}

export function authenticateClient(state: ExchangeState): void {
  const app = state.idp.directory.getApp(state.client.id);
  if (app?.kind !== 'app' || !app.token_exchange || app.disabled)
    throw new UnauthorizedClient('This client is not allowed to request ID-JAGs by token exchange.', {
      code: 'ERR_CLIENT_NO_TOKEN_EXCHANGE',
      specRef: 'RFC 6749 §5.2',
    });
  state.client.app = app;
  if (state.client.authMethod !== 'none') return;
  if (app.token_endpoint_auth_method !== 'none')
    throw new InvalidClient('This client is registered confidential and must authenticate.', { code: 'ERR_CLIENT_NOT_PUBLIC', specRef: 'RFC 6749 §2.3' });
  state.warnings.push(publicClientWarning(app.title));
}

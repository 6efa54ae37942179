/**
 * Redemption step `authenticate-client`: oidc-provider authenticated the client (basic, post or
 * private_key_jwt; a wrong secret is `invalid_client`) and checked it may use this grant. Public
 * clients are refused (`unauthorized_client`, draft-04 §9.1, EMA §5): an ID-JAG is redeemed only by
 * a confidential, authenticated client.
 */
import { UnauthorizedClient } from '@xaa/protocol';
import { type BearerState, emitCheck } from './bearer-state.ts';

const CHECK = { id: 'client_auth', title: 'Client is confidential and authenticated', specRef: 'draft-04 §9.1, EMA §5' };

export function authenticateClient(state: BearerState): void {
  const { client } = state;
  if (client.authMethod === 'none') {
    const detail = `${client.id} is a public client; this grant needs client authentication.`;
    emitCheck(state, { ok: false, detail, ...CHECK });
    throw new UnauthorizedClient(detail, { code: 'ERR_PUBLIC_CLIENT', specRef: 'draft-04 §9.1' });
  }
  emitCheck(state, { ok: true, detail: `authenticated with ${client.authMethod}`, ...CHECK });
}

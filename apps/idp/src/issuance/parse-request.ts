/**
 * The `request` step: the RFC 8693 §2.1 / draft-04 §4.3.1 request shape. One value per parameter
 * (except `audience`/`resource`, which resolve-target judges), bounded length, the ID-JAG as the
 * requested type, a subject token and its type, `actor_token_type` with `actor_token` and only with
 * it, no `authorization_details`.
 */
import { InvalidRequest, parseScope, TOKEN_TYPE_ID_JAG } from '@xaa/protocol';
import { defaults } from '../config.ts';
import type { ExchangeParams, ExchangeState } from './exchange-state.ts';

function single(params: ExchangeParams, name: string): string | undefined {
  const v = params[name];
  if (Array.isArray(v)) throw new InvalidRequest(`The ${name} parameter must not be repeated.`, { code: 'ERR_PARAM_DUPLICATED', specRef: 'RFC 6749 §3.2' });
  if (v !== undefined && v.length > defaults.maxParamLength)
    throw new InvalidRequest(`The ${name} parameter is too long.`, { code: 'ERR_PARAM_TOO_LONG', specRef: 'RFC 6749 §5.2' });
  return v === '' ? undefined : v;
}

function required(params: ExchangeParams, name: string, specRef: string): string {
  const v = single(params, name);
  if (v === undefined) throw new InvalidRequest(`The ${name} parameter is required.`, { code: 'ERR_PARAM_MISSING', specRef });
  return v;
}

export function parseRequest(state: ExchangeState): void {
  const { params } = state;
  const requestedType = required(params, 'requested_token_type', 'draft-04 §4.3.1');
  if (requestedType !== TOKEN_TYPE_ID_JAG)
    throw new InvalidRequest(`This IdP issues only ${TOKEN_TYPE_ID_JAG} by token exchange.`, {
      code: 'ERR_REQUESTED_TYPE_UNSUPPORTED',
      specRef: 'RFC 8693 §2.2.2',
    });
  const subjectToken = required(params, 'subject_token', 'RFC 8693 §2.1');
  const subjectTokenType = required(params, 'subject_token_type', 'RFC 8693 §2.1');
  const actorToken = single(params, 'actor_token');
  const actorTokenType = single(params, 'actor_token_type');
  if ((actorToken === undefined) !== (actorTokenType === undefined))
    throw new InvalidRequest('actor_token_type is required with actor_token, and only with it.', {
      code: 'ERR_ACTOR_TOKEN_TYPE',
      specRef: 'RFC 8693 §2.1',
    });
  if (single(params, 'authorization_details') !== undefined)
    throw new InvalidRequest('authorization_details is not supported for ID-JAG requests by this IdP.', {
      code: 'ERR_RAR_UNSUPPORTED',
      specRef: 'draft-04 §4.3.1',
    });
  const scopeParam = single(params, 'scope');
  state.request = {
    subjectToken,
    subjectTokenType,
    actor: actorToken !== undefined && actorTokenType !== undefined ? { token: actorToken, type: actorTokenType } : undefined,
    scopes: scopeParam === undefined ? undefined : parseScope(scopeParam),
  };
}

/**
 * Redemption step `request`: the RFC 7521 §4.1 / RFC 7523 §2.1 request shape — an assertion, at most
 * one `resource` (RFC 8707 §2), and `scope` (omitted or empty: the ID-JAG's scopes).
 */
import { InvalidRequest, InvalidTarget, parseScope } from '@xaa/protocol';
import type { BearerState } from './bearer-state.ts';

export function parseRequest(state: BearerState): void {
  const { params } = state;
  if (!state.assertion)
    throw new InvalidRequest('The assertion parameter is required (RFC 7521 §4.1).', { code: 'ERR_ASSERTION_MISSING', specRef: 'RFC 7521 §4.1' });
  if (typeof params.resource !== 'undefined' && typeof params.resource !== 'string')
    throw new InvalidTarget('Send at most one resource parameter.', { code: 'ERR_REQUEST_RESOURCE_MULTIPLE', specRef: 'RFC 8707 §2' });
  state.requestedResource = typeof params.resource === 'string' ? params.resource : undefined;
  state.requestedScopes = typeof params.scope === 'string' && params.scope.trim() !== '' ? parseScope(params.scope) : undefined;
}

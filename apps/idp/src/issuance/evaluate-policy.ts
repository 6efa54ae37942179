/**
 * Step 3 of issuance: the admin's connection policy (spec digest §2.2 step 4, design §4). Runs the pure
 * engine from @xaa/policy on the directory and turns a deny into the design §4 OAuth error; the
 * decision (allow or deny) is returned either way so the caller can record it.
 */

import { type Connection, type Decision, type Deny, type Directory, evaluate } from '@xaa/policy';
import {
  AccessDenied,
  InsufficientUserAuthentication,
  InvalidDpopProof,
  InvalidGrant,
  InvalidScope,
  InvalidTarget,
  type OAuthError,
  UnauthorizedClient,
} from '@xaa/protocol';

export interface PolicyInput {
  userId: string;
  clientId: string;
  audience: string;
  resource: string;
  scopes: string[] | undefined;
  /** OIDC auth_time of the subject token, for step-up connections. */
  authTime?: number | undefined;
  /** Thumbprint of the key a valid DPoP proof on the request proved (RFC 9449 §4.3), for connections that require DPoP. */
  dpopJkt?: string | undefined;
}

export function evaluatePolicy(input: PolicyInput, connections: readonly Connection[], directory: Directory, nowSeconds: number): Decision {
  return evaluate(
    {
      user: input.userId,
      client: input.clientId,
      audience: input.audience,
      resource: input.resource,
      ...(input.scopes ? { scopes: input.scopes } : {}),
      ...(input.authTime !== undefined ? { auth_time: input.authTime } : {}),
      ...(input.dpopJkt !== undefined ? { dpop_jkt: input.dpopJkt } : {}),
    },
    connections,
    directory,
    nowSeconds,
  );
}

/** The caller-facing error of a deny: the description names the rule, never the user's groups. */
export function denialError(d: Deny): OAuthError {
  const options = {
    code: `ERR_POLICY_${d.rule
      .replace(/^connection:[^:]+:/, 'connection_')
      .replace(/[^a-z0-9]+/gi, '_')
      .toUpperCase()}`,
    specRef: 'RFC 8693 §2.2.2, docs/decisions.md §4',
  };
  switch (d.code) {
    case 'invalid_scope':
      return new InvalidScope(d.description, options);
    case 'invalid_target':
      return new InvalidTarget(d.description, options);
    case 'unauthorized_client':
      return new UnauthorizedClient(d.description, options);
    case 'invalid_grant':
      return new InvalidGrant(d.description, options);
    case 'insufficient_user_authentication':
      // draft-04 §9.2: the client re-authenticates the user (with max_age) and retries.
      return new InsufficientUserAuthentication(d.description, { ...options, detail: { max_age: d.max_age } });
    case 'invalid_dpop_proof':
      // RFC 9449 §5: the connection requires a proof and the request sent none.
      return new InvalidDpopProof(d.description, { ...options, specRef: 'RFC 9449 §5' });
    default:
      return new AccessDenied(d.description, options);
  }
}

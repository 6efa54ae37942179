/**
 * Issuance step `evaluate-policy`: the admin's connection policy (EMA §7.6.1, draft-04 §4.3). Runs the
 * pure engine from @xaa/policy on the directory for the already-resolved target and turns a deny into
 * its OAuth error (RFC 8693 §2.2.2, draft-04 §9.2 step-up with `max_age`).
 */

import { need } from '@xaa/node-kit/oidc-host';
import { type Connection, type Decision, type Deny, type DenyCode, type Directory, evaluate, evaluateFor } from '@xaa/policy';
import {
  AccessDenied,
  InsufficientUserAuthentication,
  InvalidDpopProof,
  InvalidGrant,
  InvalidScope,
  InvalidTarget,
  type OAuthError,
  type OAuthErrorOptions,
  UnauthorizedClient,
} from '@xaa/protocol';
import type { ExchangeState } from './exchange-state.ts';
import type { ResolvedTarget } from './resolve-target.ts';
import { samlAssertionView } from './saml-view.ts';

/** The clause a policy denial cites (kept as the console shows it today). */
const POLICY_SPEC = 'RFC 8693 §2.2.2, docs/decisions.md §4';

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

/** The engine's decision; for a `target` already resolved, the engine does not resolve it again. */
export function decidePolicy(
  input: PolicyInput,
  connections: readonly Connection[],
  directory: Directory,
  nowSeconds: number,
  target?: ResolvedTarget,
): Decision {
  const request = {
    user: input.userId,
    client: input.clientId,
    audience: input.audience,
    resource: input.resource,
    ...(input.scopes ? { scopes: input.scopes } : {}),
    ...(input.authTime !== undefined ? { auth_time: input.authTime } : {}),
    ...(input.dpopJkt !== undefined ? { dpop_jkt: input.dpopJkt } : {}),
  };
  return target
    ? evaluateFor({ ok: true, server: target.server, resource: target.resource, trace: target.trace }, request, connections, directory, nowSeconds)
    : evaluate(request, connections, directory, nowSeconds);
}

/**
 * The `evaluate-policy` step: the engine decides for the target resolved once before; the decision —
 * allow or deny — is the `exchange.decision` flow event, with the step's warnings in its trace.
 */
export function evaluatePolicy(state: ExchangeState): void {
  const { idp } = state;
  const target = need(state.target, 'target');
  const verified = need(state.subjectVerified, 'subject');
  const request = need(state.request, 'request');
  const decision = decidePolicy(
    {
      userId: verified.user.id,
      clientId: state.client.id,
      audience: target.server.issuer,
      resource: target.resource,
      scopes: request.scopes,
      authTime: verified.authTime,
      dpopJkt: state.jkt,
    },
    idp.directory.policyConnections(state.client.id),
    idp.directory.policyDirectory(),
    state.nowSeconds,
    target,
  );
  state.decided = true;
  const trace = [...decision.trace, ...state.warnings];
  idp.flowLog.emit({
    traceId: state.traceId,
    party: 'idp',
    step: 'exchange.decision',
    outcome: decision.effect === 'allow' ? 'ok' : 'denied',
    summary:
      decision.effect === 'allow'
        ? `Allowed by ${decision.rule}: ${decision.grantedScopes.join(' ')}${decision.narrowed ? ' (narrowed)' : ''}`
        : `Denied by ${decision.rule} (${decision.code})`,
    subject: state.subject,
    decision: {
      effect: decision.effect,
      rule: decision.rule,
      reasons: [...decision.reasons, ...state.warnings.map((w) => w.detail)],
      grantedScopes: decision.effect === 'allow' ? decision.grantedScopes : [],
    },
    ...(decision.effect === 'deny' ? { error: { code: decision.code, description: decision.description, specRef: POLICY_SPEC } } : {}),
    data: {
      trace,
      ...(decision.connection ? { connection: decision.connection.id } : {}),
      subject_token_type: verified.kind,
      ...(state.warnings.length ? { warnings: state.warnings.map((w) => w.detail) } : {}),
      ...(state.actor ? { actor: state.actor.username } : {}),
    },
    ...(verified.saml ? { tokens: [samlAssertionView(verified.saml)] } : {}),
  });
  if (decision.effect === 'deny') throw denialError(decision);
  state.decision = decision;
}

/** Each policy outcome's OAuth error class (RFC 8693 §2.2.2, RFC 6749 §5.2); typed, so a new DenyCode needs its class. */
const DENIAL_ERRORS: Record<
  Exclude<DenyCode, 'insufficient_user_authentication' | 'invalid_dpop_proof'>,
  new (
    description: string,
    options?: OAuthErrorOptions,
  ) => OAuthError
> = {
  invalid_scope: InvalidScope,
  invalid_target: InvalidTarget,
  unauthorized_client: UnauthorizedClient,
  invalid_grant: InvalidGrant,
  access_denied: AccessDenied,
};

/** The caller-facing error of a deny: the description names the rule, never the user's groups. */
export function denialError(d: Deny): OAuthError {
  const options = {
    code: `ERR_POLICY_${d.rule
      .replace(/^connection:[^:]+:/, 'connection_')
      .replace(/[^a-z0-9]+/gi, '_')
      .toUpperCase()}` as const,
    specRef: POLICY_SPEC,
  };
  if (d.code === 'insufficient_user_authentication')
    // draft-04 §9.2: the client re-authenticates the user (with max_age) and retries.
    return new InsufficientUserAuthentication(d.description, {
      ...options,
      detail: { max_age: d.max_age },
      ...(d.max_age !== undefined ? { params: { max_age: d.max_age } } : {}),
    });
  if (d.code === 'invalid_dpop_proof')
    // RFC 9449 §5: the connection requires a proof and the request sent none.
    return new InvalidDpopProof(d.description, { ...options, specRef: 'RFC 9449 §5' });
  return new DENIAL_ERRORS[d.code](d.description, options);
}

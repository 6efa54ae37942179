/**
 * The per-request state of one jwt-bearer redemption (RFC 7523 §2.1, draft-04 §4.4): built once from
 * the request, then filled in by the redemption steps in order (provider/grants/jwt-bearer.ts lists
 * them). Every step reads what earlier steps set and adds its own result.
 */

import { requestTrace } from '@xaa/node-kit/oidc-host';
import { GRANT_TYPE_JWT_BEARER, type IdJagClaims, redactRecord } from '@xaa/protocol';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ServerRuntime } from '../../context.ts';
import type { LocalUser } from '../../db/users.ts';
import type { DpopBinding } from './dpop-proof.ts';
import type { IssuedAccessToken } from './issue-access-token.ts';

export interface BearerState {
  rt: ServerRuntime;
  ctx: KoaContextWithOIDC;
  params: Record<string, unknown>;
  traceId: string;
  /** The step running now (set by the runner). */
  step: string;
  client: { id: string; authMethod: string };
  /** The assertion as sent (`undefined` when missing or empty). */
  assertion: string | undefined;
  /** `undefined` when the request had no (or an empty) `scope`: the ID-JAG's scopes. */
  requestedScopes?: string[] | undefined;
  requestedResource?: string | undefined;
  /** RFC 7638 thumbprint of the DPoP key the request proved (draft-04 §9.8.1.2). */
  dpopJkt?: string | undefined;
  /** How the access token is bound (RFC 9449 §5): `cnf.jkt` and `token_type`. */
  binding?: DpopBinding;
  /** The verified ID-JAG, once `verify-assertion` passed. */
  grant?: { claims: IdJagClaims; resource: string; grantedScopes: string[] };
  user?: LocalUser;
  issued?: IssuedAccessToken;
  /** The RFC 6749 §5.1 response, set by the last step. */
  response?: Record<string, unknown>;
}

export function bearerState(rt: ServerRuntime, ctx: KoaContextWithOIDC): BearerState {
  const client = ctx.oidc.client;
  const params = ctx.oidc.params as Record<string, unknown>;
  return {
    rt,
    ctx,
    params,
    traceId: requestTrace(ctx.req).traceId,
    step: 'receive',
    client: { id: client?.clientId ?? '', authMethod: client?.clientAuthMethod ?? 'none' },
    assertion: typeof params.assertion === 'string' && params.assertion !== '' ? params.assertion : undefined,
  };
}

/** The HTTP view of the request (redacted) for the `bearer.request` event. */
export function requestView(state: BearerState): Record<string, unknown> {
  return redactRecord({ grant_type: GRANT_TYPE_JWT_BEARER, client_id: state.client.id, client_auth: state.client.authMethod, ...state.params });
}

/** One `bearer.check` flow event: a check this grant runs itself (the ID-JAG's own are emitChecks'). */
export function emitCheck(
  state: BearerState,
  check: { ok: boolean; id: string; title: string; specRef: string; detail: string; user?: string | undefined },
): void {
  const { rt } = state;
  rt.flowLog.emit({
    traceId: state.traceId,
    party: rt.party.as,
    step: 'bearer.check',
    outcome: check.ok ? 'ok' : 'denied',
    summary: `${check.ok ? '✓' : '✗'} ${check.title} — ${check.detail}`,
    subject: { client: state.client.id, ...(check.user ? { user: check.user } : {}), server: rt.def.name },
    check: { id: check.id, title: check.title, specRef: check.specRef, detail: check.detail },
  });
}

/**
 * The per-request state of one token exchange (RFC 8693, draft-04 §4.3): built once from the
 * request, then filled in by the issuance steps in order (provider/grants/token-exchange.ts lists
 * them). Each step reads what earlier steps set and adds its own result; nothing travels beside it.
 */

import { requestTrace } from '@xaa/node-kit/oidc-host';
import type { Allow, TraceStep } from '@xaa/policy';
import { redactRecord } from '@xaa/protocol';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { IdpContext } from '../context.ts';
import type { AppRecord } from '../db/directory.ts';
import type { ResolvedTarget } from './resolve-target.ts';
import type { VerifiedActor } from './verify-actor-token.ts';
import type { VerifiedSubject } from './verify-subject-token.ts';

export type ExchangeParams = Record<string, string | string[] | undefined>;

/** The request after the `request` step: every parameter checked for shape. */
export interface ExchangeRequest {
  subjectToken: string;
  subjectTokenType: string;
  actor: { token: string; type: string } | undefined;
  /** `undefined` when the request had no `scope`. */
  scopes: string[] | undefined;
}

export interface ExchangeState {
  idp: IdpContext;
  ctx: KoaContextWithOIDC;
  params: ExchangeParams;
  traceId: string;
  nowSeconds: number;
  /** performance.now() at the start, for the response's duration. */
  started: number;
  /** The step running now (set by the runner; a refusal names it). */
  step: string;
  /** The HTTP view every event of this exchange carries (redacted). */
  http: { method: 'POST'; url: string; request: Record<string, unknown> };
  /** The flow-event subject; filled in as the steps learn the user and the server. */
  subject: { client: string; user?: string; server?: string };
  client: { id: string; authMethod: string; app?: AppRecord };
  /** Cautions recorded into the decision trace (e.g. a public client). */
  warnings: TraceStep[];
  request?: ExchangeRequest;
  /** RFC 7638 thumbprint of the DPoP key the request proved (draft-04 §9.8.1.1). */
  jkt?: string;
  subjectVerified?: VerifiedSubject;
  actor?: VerifiedActor;
  /** The target, resolved once when the request arrives; the `resolve-target` step applies it. */
  resolution?: { ok: true; target: ResolvedTarget } | { ok: false; error: unknown };
  target?: ResolvedTarget;
  decision?: Allow;
  /** Whether an `exchange.decision` event was recorded (a refusal before it records one). */
  decided: boolean;
  /** The RFC 8693 §2.2.1 response, set by the last step. */
  response?: Record<string, unknown>;
}

export function exchangeState(idp: IdpContext, ctx: KoaContextWithOIDC, started: number): ExchangeState {
  const params = ctx.oidc.params as ExchangeParams;
  const client = ctx.oidc.client;
  const clientId = client?.clientId ?? '';
  return {
    idp,
    ctx,
    params,
    traceId: requestTrace(ctx.req).traceId,
    nowSeconds: Math.floor(idp.now() / 1000),
    started,
    step: 'request',
    http: { method: 'POST', url: `${idp.issuer}/token`, request: redactRecord(params as Record<string, unknown>) },
    subject: { client: clientId },
    client: { id: clientId, authMethod: client?.clientAuthMethod ?? 'none' },
    warnings: [],
    decided: false,
  };
}

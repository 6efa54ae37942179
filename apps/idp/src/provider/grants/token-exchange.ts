/**
 * RFC 8693 token exchange for ID-JAGs (draft-04 §4.3, EMA §4), one grant module for oidc-provider
 * (registered by `registerGrant`, @xaa/node-kit/oidc-host). oidc-provider has already authenticated
 * the client, rejected duplicated parameters other than `audience`/`resource`, and checked the scope
 * syntax. The handler is the ordered list of issuance steps in `STEPS`, each a small function over one
 * per-request state (issuance/exchange-state.ts); a refusal at any step is one `exchange.decision`
 * event naming the step, and an RFC 6749 §5.2 error rendered by the host kit.
 */
import { performance } from 'node:perf_hooks';
import { type GrantModule, type ProviderErrorLike, requestTrace, runSteps, type Step } from '@xaa/node-kit/oidc-host';
import { GRANT_TYPE_TOKEN_EXCHANGE, isOAuthError, type OAuthError, ServerError, TOKEN_TYPE_REFRESH_TOKEN, tokenView } from '@xaa/protocol';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { IdpContext } from '../../context.ts';
import { authenticateClient } from '../../issuance/authenticate-client.ts';
import { evaluatePolicy } from '../../issuance/evaluate-policy.ts';
import { type ExchangeState, exchangeState } from '../../issuance/exchange-state.ts';
import { issueIdJag } from '../../issuance/mint-id-jag.ts';
import { parseRequest } from '../../issuance/parse-request.ts';
import { applyTarget, injectFaults, resolveOnce, TargetRefused } from '../../issuance/resolve-target.ts';
import { verifyActor } from '../../issuance/verify-actor-token.ts';
import { verifyDpop } from '../../issuance/verify-dpop-proof.ts';
import { verifySubject } from '../../issuance/verify-subject-token.ts';
import { refreshTokenExchange } from './token-exchange-refresh-token.ts';

/** The token-exchange handler, in order. */
export const STEPS: readonly Step<ExchangeState>[] = [
  { name: 'receive', run: receive },
  { name: 'authenticate-client', run: authenticateClient },
  { name: 'request', run: parseRequest },
  { name: 'verify-dpop-proof', run: verifyDpop },
  { name: 'verify-subject-token', run: verifySubject },
  { name: 'verify-actor-token', run: verifyActor },
  { name: 'resolve-target', run: applyTarget },
  { name: 'inject-faults', run: injectFaults },
  { name: 'evaluate-policy', run: evaluatePolicy },
  { name: 'mint-id-jag', run: issueIdJag },
];

/**
 * `requested_token_type=refresh_token` (draft-04 §4.5): a SAML 2.0 assertion traded for an IdP refresh
 * token, from which the client then asks for ID-JAGs (issuance/issue-refresh-token.ts).
 */
export const REFRESH_TOKEN_STEPS: readonly Step<ExchangeState>[] = [
  { name: 'receive', run: receive },
  { name: 'authenticate-client', run: authenticateClient },
  { name: 'issue-refresh-token', run: issueRefreshTokenStep },
];

async function issueRefreshTokenStep(state: ExchangeState): Promise<void> {
  const { idp, ctx } = state;
  state.response = await refreshTokenExchange(idp, ctx, state.params, {
    traceId: state.traceId,
    nowSeconds: state.nowSeconds,
    subject: state.subject,
    http: state.http,
  });
  await idp.auditWritten();
}

/** RFC 8693 §2.1 request parameters (client authentication parameters are added by oidc-provider). */
const parameters = [
  'audience',
  'resource',
  'scope',
  'requested_token_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'authorization_details',
];

/** `exchange.request`: what arrived (the target is resolved here, once, so the event names its server). */
async function receive(state: ExchangeState): Promise<void> {
  resolveOnce(state);
  const { idp, params } = state;
  const subjectToken = typeof params.subject_token === 'string' ? params.subject_token : undefined;
  const audience = typeof params.audience === 'string' ? params.audience : undefined;
  idp.flowLog.emit({
    traceId: state.traceId,
    party: 'idp',
    step: 'exchange.request',
    outcome: 'ok',
    summary:
      params.requested_token_type === TOKEN_TYPE_REFRESH_TOKEN
        ? `${state.client.id} asks for an IdP refresh token for its subject token (draft-04 §4.5)`
        : `${state.client.id} asks for an ID-JAG for ${audience ?? '(no audience)'}`,
    subject: { ...state.subject },
    http: state.http,
    ...(subjectToken && subjectToken.split('.').length === 3
      ? { tokens: [await tokenView('subject_token', subjectToken, { redact: idp.flowLog.redact })] }
      : {}),
  });
}

/** A refusal before the policy decided: one `exchange.decision` naming the step. */
async function refused(state: ExchangeState, e: unknown): Promise<void> {
  const { idp, step } = state;
  const err: OAuthError = isOAuthError(e) ? e : new ServerError('The ID-JAG could not be issued.', { cause: e });
  if (!state.decided) {
    const target = e instanceof TargetRefused ? e : undefined;
    idp.flowLog.emit({
      traceId: state.traceId,
      party: 'idp',
      step: 'exchange.decision',
      outcome: err.error === 'server_error' ? 'error' : 'denied',
      summary: `Refused at ${step} (${err.error}): ${err.error_description}`,
      subject: state.subject,
      decision: {
        effect: 'deny',
        rule: target ? target.rule : `${step}:${err.code}`,
        reasons: [target ? target.reason : err.error_description],
        grantedScopes: [],
      },
      error: { code: err.error, description: err.error_description, internal: err.code, ...(err.specRef ? { specRef: err.specRef } : {}) },
      data: { step, trace: [...(target ? target.trace : (state.target?.trace ?? [])), ...state.warnings] },
    });
  }
  await idp.auditWritten();
}

/** What oidc-provider refused before the handler ran (client authentication, duplicated parameters, scope syntax). */
function refusedBeforeHandler(idp: IdpContext) {
  return (ctx: KoaContextWithOIDC, err: ProviderErrorLike) => {
    const params = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
    const error = String(err.error ?? 'invalid_request');
    const description = String(err.error_description ?? err.message);
    idp.flowLog.emit({
      traceId: requestTrace(ctx.req).traceId,
      party: 'idp',
      step: 'exchange.decision',
      outcome: 'denied',
      summary: `Refused before issuance (${err.error ?? 'error'}): ${description}`,
      subject: { client: String(ctx.oidc?.client?.clientId ?? params.client_id ?? '') },
      decision: { effect: 'deny', rule: `request:${err.error ?? 'error'}`, reasons: [description], grantedScopes: [] },
      error: { code: error, description, specRef: 'RFC 6749 §5.2' },
    });
  };
}

export function tokenExchangeGrant(idp: IdpContext): GrantModule {
  return {
    grantType: GRANT_TYPE_TOKEN_EXCHANGE,
    parameters,
    // RFC 8693 allows several `audience`/`resource` values; resolve-target answers `invalid_target` for more than one.
    allowedDuplicateParameters: ['audience', 'resource'],
    handler: async (ctx) => {
      const state = exchangeState(idp, ctx, performance.now());
      await runSteps(state, state.params.requested_token_type === TOKEN_TYPE_REFRESH_TOKEN ? REFRESH_TOKEN_STEPS : STEPS, refused);
      ctx.body = state.response;
    },
    refusedBeforeHandler: refusedBeforeHandler(idp),
  };
}

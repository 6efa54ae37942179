/**
 * The RFC 7523 §2.1 JWT bearer grant for ID-JAGs (draft-04 §4.4; EMA §5), one grant module for
 * oidc-provider (registered by `registerGrant`, @xaa/node-kit/oidc-host). The handler is the ordered
 * list of redemption steps in `STEPS` over one per-request state (redeem/bearer-state.ts); every step
 * is a flow event — `bearer.request`, one `bearer.check` per check, `bearer.issued` — and a refusal is
 * a `bearer.issued` denial. Errors: `invalid_grant` for every assertion failure (RFC 7521 §5.2),
 * naming the failed check unless the AS is in generic-errors mode; `invalid_scope` for escalation;
 * `invalid_target` for a `resource` this AS does not serve; `unauthorized_client` for a public client.
 */
import { type GrantModule, type ProviderErrorLike, requestTrace, runSteps, type Step } from '@xaa/node-kit/oidc-host';
import { GRANT_TYPE_JWT_BEARER, InvalidGrant, isOAuthError, OAuthError, redactRecord, tokenView } from '@xaa/protocol';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ServerRuntime } from '../../../context.ts';
import { authenticateClient } from '../../redeem/authenticate-client.ts';
import { type BearerState, bearerState, requestView } from '../../redeem/bearer-state.ts';
import { issue } from '../../redeem/issue-access-token.ts';
import { parseRequest } from '../../redeem/parse-request.ts';
import { resolveSubject } from '../../redeem/resolve-subject.ts';
import { verifyDpop } from '../../redeem/verify-dpop-proof.ts';
import { verifyAssertionStep } from '../../redeem/verify-id-jag.ts';

/** The jwt-bearer handler, in order. */
export const STEPS: readonly Step<BearerState>[] = [
  { name: 'receive', run: receive },
  { name: 'authenticate-client', run: authenticateClient },
  { name: 'request', run: parseRequest },
  { name: 'verify-dpop-proof', run: verifyDpop },
  { name: 'verify-assertion', run: verifyAssertionStep },
  { name: 'map-subject', run: resolveSubject },
  { name: 'issue-access-token', run: issue },
];

const GENERIC = 'The assertion was not accepted.';

/** `bearer.request`: what arrived. */
async function receive(state: BearerState): Promise<void> {
  const { rt } = state;
  rt.flowLog.emit({
    traceId: state.traceId,
    party: rt.party.as,
    step: 'bearer.request',
    outcome: 'ok',
    summary: `${state.client.id} presents an ID-JAG for ${rt.def.title}`,
    subject: { client: state.client.id, server: rt.def.name },
    http: { method: 'POST', url: `${rt.def.issuer}${state.ctx.path}`, request: requestView(state) },
    tokens: state.assertion ? [await tokenView('id_jag', state.assertion, { redact: rt.flowLog.redact })] : [],
  });
}

/** A refusal at any step: one `bearer.issued` denial with the full error (the wire may get less). */
function refused(state: BearerState, e: unknown): void {
  if (!isOAuthError(e)) return;
  const { rt } = state;
  rt.flowLog.emit({
    traceId: state.traceId,
    party: rt.party.as,
    step: 'bearer.issued',
    outcome: 'denied',
    summary: `No access token for ${state.client.id}: ${e.error_description}`,
    subject: { client: state.client.id, server: rt.def.name },
    error: { code: e.error, description: e.error_description, ...(e.specRef ? { specRef: e.specRef } : {}), internal: e.code },
  });
}

/** Generic-errors mode: the wire says only that the assertion was refused (request-shape and client errors stay precise). */
function onTheWire(rt: ServerRuntime, e: unknown): unknown {
  if (
    !isOAuthError(e) ||
    !rt.settings.get().generic_errors ||
    e.error === 'unauthorized_client' ||
    e.error === 'invalid_request' ||
    e.error === 'use_dpop_nonce'
  )
    return e;
  return e.error === 'invalid_grant' ? new InvalidGrant(GENERIC, { code: e.code }) : new OAuthError(e.error, e.status, GENERIC, { code: e.code });
}

/**
 * What oidc-provider refused before the handler ran (client authentication, grant not allowed,
 * duplicate parameters) — and, on a server without XAA, every jwt-bearer request (unsupported_grant_type).
 */
export function jwtBearerRefused(rt: ServerRuntime) {
  return (ctx: KoaContextWithOIDC, err: ProviderErrorLike) => {
    const p = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
    rt.flowLog.emit({
      traceId: requestTrace(ctx.req).traceId,
      party: rt.party.as,
      step: 'bearer.request',
      outcome: 'denied',
      summary: `jwt-bearer request refused before verification (${err.error ?? 'error'}): ${err.error_description ?? err.message}`,
      subject: { client: String(ctx.oidc?.client?.clientId ?? p.client_id ?? ''), server: rt.def.name },
      http: { method: 'POST', url: `${rt.def.issuer}${ctx.path}`, request: redactRecord({ ...p }) },
      error: { code: String(err.error ?? 'invalid_request'), description: String(err.error_description ?? err.message), specRef: 'RFC 6749 §5.2' },
    });
  };
}

export function jwtBearerGrant(rt: ServerRuntime): GrantModule {
  return {
    grantType: GRANT_TYPE_JWT_BEARER,
    parameters: ['assertion', 'scope', 'resource'],
    handler: async (ctx) => {
      const state = bearerState(rt, ctx);
      try {
        await runSteps(state, STEPS, refused);
      } catch (e) {
        throw onTheWire(rt, e);
      }
      // The type set up front: Koa's own guess for an object body is a MIME table lookup.
      ctx.set('Content-Type', 'application/json; charset=utf-8');
      ctx.body = state.response;
    },
    refusedBeforeHandler: jwtBearerRefused(rt),
  };
}

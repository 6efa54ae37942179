/**
 * Redemption: run the shared ordered ID-JAG verifier (`verifyIdJag`, draft-04 §4.4.1, EMA §7.4) with
 * this AS's configuration — its issuer as the only audience, its resource, its scopes, the trusted
 * IdPs an admin configured ("Configure XAA"), the clock skew, and single use unless the AS allows
 * re-presentation — and report every check as a `bearer.check` flow event.
 */
import { need } from '@xaa/node-kit/oidc-host';
import { type IdJagCheckResult, InvalidScope, type VerifyIdJagResult, verifyIdJag } from '@xaa/protocol';
import { defaults } from '../../config.ts';
import type { ServerRuntime } from '../../context.ts';
import type { BearerState } from './bearer-state.ts';

export interface VerifyInput {
  assertion: string;
  clientId: string;
  requestedScopes: string[] | undefined;
  requestedResource: string | undefined;
  /** Thumbprint of the key of a valid DPoP proof on the request, if any (draft-04 §9.8.1.2). */
  dpopJkt?: string | undefined;
}

export async function verifyAssertion(rt: ServerRuntime, input: VerifyInput): Promise<VerifyIdJagResult> {
  const settings = rt.settings.get();
  return verifyIdJag(input.assertion, {
    audience: rt.def.issuer,
    trustedIssuers: rt.trust.trustedIssuers(),
    clientId: input.clientId,
    resources: [rt.def.resource],
    // EMA §4.3 / draft-04 §3.1: `resource` is OPTIONAL. This AS serves exactly one resource, so an
    // ID-JAG without it (aud already names this AS) is for that resource; a present one must match.
    requireResource: false,
    supportedScopes: rt.def.scopes,
    ...(input.requestedResource !== undefined ? { requestedResource: input.requestedResource } : {}),
    ...(input.requestedScopes !== undefined ? { requestedScopes: input.requestedScopes } : {}),
    ...(input.dpopJkt !== undefined ? { dpopJkt: input.dpopJkt } : {}),
    algorithms: defaults.idJagAlgorithms,
    clockSkew: defaults.clockSkew,
    ...(settings.allow_representation ? {} : { replay: rt.replay }),
    now: rt.nowSeconds(),
  });
}

/** One `bearer.check` event per check that ran (skipped checks are not reported). */
export function emitChecks(rt: ServerRuntime, traceId: string, checks: IdJagCheckResult[], subject: { client: string; user?: string }) {
  const server = rt.def.name;
  for (const c of checks) {
    if (c.outcome === 'skipped') continue;
    rt.flowLog.emit({
      traceId,
      party: rt.party.as,
      step: 'bearer.check',
      outcome: c.outcome === 'ok' ? 'ok' : 'denied',
      summary: `${c.outcome === 'ok' ? '✓' : '✗'} ${c.title}${c.detail ? ` — ${c.detail}` : ''}`,
      // A literal, not `{ ...subject, server }`: on Node 20 a spread followed by more properties is a slow path.
      subject: subject.user === undefined ? { client: subject.client, server } : { client: subject.client, user: subject.user, server },
      check: { id: c.check, title: c.title, specRef: c.specRef, ...(c.detail ? { detail: c.detail } : {}) },
    });
  }
}

/**
 * Redemption step `verify-assertion`: the ordered ID-JAG checks, each a `bearer.check`; a grant that
 * would carry no scope at all is `invalid_scope` (RFC 6749 §3.3).
 */
export async function verifyAssertionStep(state: BearerState): Promise<void> {
  const { rt } = state;
  const result = await verifyAssertion(rt, {
    assertion: need(state.assertion, 'assertion'),
    clientId: state.client.id,
    requestedScopes: state.requestedScopes,
    requestedResource: state.requestedResource,
    dpopJkt: state.dpopJkt,
  });
  emitChecks(rt, state.traceId, result.checks, { client: state.client.id });
  if (!result.ok) throw result.error;
  if (result.grantedScopes.length === 0)
    throw new InvalidScope('No scope can be granted: the ID-JAG carries none.', { code: 'ERR_SCOPE_EMPTY', specRef: 'RFC 6749 §3.3' });
  state.grant = { claims: result.claims, resource: result.resource, grantedScopes: result.grantedScopes };
}

/**
 * Issuance step `resolve-target`: resolve the target. The `audience` MUST be a
 * registered resource-AS issuer (RFC 8693 §2.1, EMA §4; compared byte for byte, docs/decisions.md §4) and a
 * `resource`, when sent, MUST pair with it (EMA §7.6.1). One audience and at most one resource per
 * request: an ID-JAG names exactly one AS (draft-04 §3.1). Failures are `invalid_target`
 * (RFC 8693 §2.2.2); a missing audience is `invalid_request`.
 */

import { need } from '@xaa/node-kit/oidc-host';
import { type Directory, type DirectoryServer, resolveTarget as resolvePair, type TraceStep } from '@xaa/policy';
import { InvalidRequest, InvalidTarget } from '@xaa/protocol';
import { beforeIssuance } from '../faults/apply.ts';
import type { ExchangeState } from './exchange-state.ts';

export interface ResolvedTarget {
  server: DirectoryServer;
  resource: string;
  /** Whether the client sent `resource` (else the server's registered one is used). */
  requestedResource: string | undefined;
  trace: TraceStep[];
}

export class TargetRefused extends InvalidTarget {
  constructor(
    description: string,
    readonly rule: string,
    readonly reason: string,
    readonly trace: TraceStep[],
  ) {
    super(description, { code: rule === 'target:unknown_audience' ? 'ERR_TARGET_UNKNOWN_AUDIENCE' : 'ERR_TARGET_NOT_PAIRED', specRef: 'EMA §7.6.1' });
  }
}

export function resolveTarget(params: { audience?: string | string[]; resource?: string | string[] }, directory: Directory): ResolvedTarget {
  const audience = params.audience;
  if (audience === undefined || audience === '')
    throw new InvalidRequest('The audience parameter is required: the issuer of the authorization server the ID-JAG is for.', {
      code: 'ERR_AUDIENCE_MISSING',
      specRef: 'draft-04 §4.3.1',
    });
  if (Array.isArray(audience))
    throw new InvalidTarget('Exactly one audience is allowed: an ID-JAG names a single authorization server.', {
      code: 'ERR_TARGET_MULTIPLE',
      specRef: 'draft-04 §3.1',
    });
  if (Array.isArray(params.resource))
    throw new InvalidTarget('At most one resource is allowed per ID-JAG request.', { code: 'ERR_TARGET_MULTIPLE', specRef: 'RFC 8707 §2' });
  const resource = params.resource === '' ? undefined : params.resource;
  const resolved = resolvePair(audience, resource, directory.servers());
  if (!resolved.ok) throw new TargetRefused(resolved.description, resolved.rule, resolved.reason, resolved.trace);
  return { server: resolved.server, resource: resolved.resource, requestedResource: resource, trace: resolved.trace };
}

/** Resolve the target once, when the request arrives (its server names the flow events); never throws. */
export function resolveOnce(state: ExchangeState): void {
  try {
    const target = resolveTarget(state.params, state.idp.directory.policyDirectory());
    state.resolution = { ok: true, target };
    state.subject.server = target.server.name;
  } catch (e) {
    state.resolution = { ok: false, error: e };
    // A refused pair still names its server when the audience is one (the console filters by server).
    const audience = state.params.audience;
    const server = typeof audience === 'string' ? state.idp.directory.listServers().find((s) => s.issuer === audience) : undefined;
    if (server) state.subject.server = server.name;
  }
}

/** The `resolve-target` step: the resolution made on arrival, applied at its place in the order. */
export function applyTarget(state: ExchangeState): void {
  const resolution = need(state.resolution, 'resolution');
  if (!resolution.ok) throw resolution.error;
  state.target = resolution.target;
}

/** The `inject-faults` step: the fault switches an admin enabled (apps/idp/src/faults) — delay, 503 or access_denied. */
export async function injectFaults(state: ExchangeState): Promise<void> {
  await beforeIssuance(state.idp, {
    traceId: state.traceId,
    client: state.client.id,
    server: need(state.target, 'target').server.name,
    user: need(state.subjectVerified, 'subject').user.username,
  });
}

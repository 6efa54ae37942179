/**
 * Step 2 of issuance: resolve the target (spec digest §2.2 step 3). The `audience` MUST be a
 * registered resource-AS issuer (RFC 8693 §2.1, EMA §4; compared byte for byte, design §4) and a
 * `resource`, when sent, MUST pair with it (EMA §7.6.1). One audience and at most one resource per
 * request: an ID-JAG names exactly one AS (draft-04 §3.1). Failures are `invalid_target`
 * (RFC 8693 §2.2.2); a missing audience is `invalid_request`.
 */

import { type Directory, type DirectoryServer, resolveTarget as resolvePair, type TraceStep } from '@xaa/policy';
import { InvalidRequest, InvalidTarget } from '@xaa/protocol';

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

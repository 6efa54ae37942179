/**
 * Before any leg runs for a server: find its authorization server and whether it redeems ID-JAGs.
 *
 *  1. unauthenticated MCP request → 401 with `WWW-Authenticate` (MCP-AUTHZ; RFC 9728 §5.1)
 *  2. protected resource metadata from the challenge's `resource_metadata`, else well-known probing
 *     (path-aware, then root) — spec digest §8.3 #49
 *  3. AS metadata: RFC 8414 then OIDC discovery URLs in the MCP-AUTHZ order; a document whose
 *     `issuer` is not byte-identical to the PRM's AS identifier is discarded (#50, RFC 8414 §3.3)
 *  4. EMA §6: ID-JAG is used only when the AS lists `urn:ietf:params:oauth:grant-profile:id-jag`
 *     (or the agent is configured to assume it, as the conformance scenario's mock AS requires).
 *
 * The HTTP work is the MCP SDK's discovery helpers; this module adds the checks and the verdict.
 */
import {
  type AuthorizationServerMetadata,
  checkResourceAllowed,
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  type OAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/client';
import { GRANT_TYPE_JWT_BEARER, supportsIdJag } from '@xaa/protocol';
import type { FetchLike } from './http.ts';

export interface Discovered {
  ok: true;
  serverUrl: string;
  /** The PRM `resource`: sent as `resource` in the token exchange (EMA §4, spec digest #53). */
  resource: string;
  resourceMetadataUrl: string | undefined;
  prm: OAuthProtectedResourceMetadata;
  /** The AS issuer, exactly as validated: sent as `audience` (EMA §4, #52). */
  asIssuer: string;
  asMetadata: AuthorizationServerMetadata;
  /** EMA §6: the AS redeems ID-JAGs. */
  idJag: boolean;
  /** `scope` from the 401 challenge (MCP-AUTHZ: authoritative for the current operation). */
  challengeScope: string | undefined;
}

export type DiscoveryFailure =
  | { ok: false; kind: 'unreachable'; message: string }
  | { ok: false; kind: 'not_protected'; message: string }
  | { ok: false; kind: 'no_resource_metadata'; message: string }
  | { ok: false; kind: 'resource_mismatch'; message: string }
  | { ok: false; kind: 'no_authorization_server'; message: string }
  | { ok: false; kind: 'issuer_mismatch'; message: string };

export type DiscoveryResult = Discovered | DiscoveryFailure;

const PROBE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'xaa-agent-probe', version: '0.0.0' } },
});

export interface DiscoverOptions {
  fetch: FetchLike;
  /** Treat an AS that lists the jwt-bearer grant as ID-JAG capable even without the grant profile. */
  assumeIdJag?: boolean;
}

export async function discover(serverUrl: string, options: DiscoverOptions): Promise<DiscoveryResult> {
  const { fetch } = options;
  let probe: Response;
  try {
    probe = await fetch(serverUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: PROBE_BODY,
    });
    await probe.body?.cancel();
  } catch (e) {
    return { ok: false, kind: 'unreachable', message: `${serverUrl} is not reachable (${(e as Error).message})` };
  }
  if (probe.status !== 401) {
    return { ok: false, kind: 'not_protected', message: `${serverUrl} answered ${probe.status} without a token; expected 401 with a Bearer challenge` };
  }
  const challenge = extractWWWAuthenticateParams(probe);

  let prm: OAuthProtectedResourceMetadata;
  try {
    prm = await discoverOAuthProtectedResourceMetadata(
      serverUrl,
      challenge.resourceMetadataUrl ? { resourceMetadataUrl: challenge.resourceMetadataUrl } : {},
      fetch,
    );
  } catch (e) {
    return { ok: false, kind: 'no_resource_metadata', message: `no protected resource metadata for ${serverUrl} (RFC 9728): ${(e as Error).message}` };
  }
  // RFC 9728 §3.3 / MCP-AUTHZ: the metadata must describe the resource we are calling.
  if (!checkResourceAllowed({ requestedResource: serverUrl, configuredResource: prm.resource })) {
    return { ok: false, kind: 'resource_mismatch', message: `protected resource metadata names ${prm.resource}, not ${serverUrl} (RFC 9728 §3.3)` };
  }
  const asIssuer = prm.authorization_servers?.[0];
  if (!asIssuer)
    return { ok: false, kind: 'no_authorization_server', message: `protected resource metadata of ${prm.resource} lists no authorization_servers` };

  let asMetadata: AuthorizationServerMetadata | undefined;
  try {
    asMetadata = await discoverAuthorizationServerMetadata(asIssuer, { fetchFn: fetch });
  } catch (e) {
    const mismatch = (e as Error).name === 'IssuerMismatchError';
    return mismatch
      ? { ok: false, kind: 'issuer_mismatch', message: `AS metadata for ${asIssuer} names a different issuer (RFC 8414 §3.3): ${(e as Error).message}` }
      : { ok: false, kind: 'no_authorization_server', message: `AS metadata for ${asIssuer} could not be read: ${(e as Error).message}` };
  }
  if (!asMetadata) return { ok: false, kind: 'no_authorization_server', message: `no RFC 8414 or OIDC metadata found for ${asIssuer}` };
  // Design §4: issuers compared byte for byte (the SDK tolerates one trailing slash; we do not).
  if (asMetadata.issuer !== asIssuer) {
    return { ok: false, kind: 'issuer_mismatch', message: `AS metadata issuer "${asMetadata.issuer}" is not byte-identical to "${asIssuer}" (RFC 8414 §3.3)` };
  }
  const idJag =
    supportsIdJag(asMetadata as Parameters<typeof supportsIdJag>[0]) ||
    (options.assumeIdJag === true && (asMetadata.grant_types_supported ?? []).includes(GRANT_TYPE_JWT_BEARER));
  return {
    ok: true,
    serverUrl,
    resource: prm.resource,
    resourceMetadataUrl: challenge.resourceMetadataUrl?.href,
    prm,
    asIssuer,
    asMetadata,
    idJag,
    challengeScope: challenge.scope,
  };
}

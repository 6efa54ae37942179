/**
 * Before any leg runs for a server: find its authorization server and whether it redeems ID-JAGs.
 *
 *  1. unauthenticated MCP request → 401 with `WWW-Authenticate` (MCP-AUTHZ; RFC 9728 §5.1)
 *  2. protected resource metadata from the challenge's `resource_metadata`, else well-known probing
 *     (path-aware, then root) — RFC 9728 §3.1
 *  3. AS metadata: RFC 8414 then OIDC discovery URLs in the MCP-AUTHZ order; a document whose
 *     `issuer` is not byte-identical to the PRM's AS identifier is discarded (#50, RFC 8414 §3.3)
 *  4. EMA §6: ID-JAG is used only when the AS lists `urn:ietf:params:oauth:grant-profile:id-jag`
 *     (or the agent is configured to assume it, as the conformance scenario's mock AS requires).
 *
 * The HTTP work is the MCP SDK's discovery helpers; this module adds the checks and the verdict.
 */
import {
  type AuthorizationServerMetadata,
  buildDiscoveryUrls,
  checkResourceAllowed,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  type OAuthProtectedResourceMetadata,
} from '@modelcontextprotocol/client';
import { GRANT_TYPE_JWT_BEARER, supportsIdJag } from '@xaa/protocol';
import type { FetchLike } from './http.ts';

export interface Discovered {
  ok: true;
  serverUrl: string;
  /** The PRM `resource`: sent as `resource` in the token exchange (EMA §4). */
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

  const as = await discoverAuthorizationServer(asIssuer, fetch);
  if (!as.ok) return as;
  const asMetadata = as.metadata;
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

/**
 * AS metadata in the MCP-AUTHZ order (the SDK's `buildDiscoveryUrls`: RFC 8414 path-aware, then the
 * OIDC variants). A 4xx (or 502) moves on to the next URL; the first document found must name
 * `issuer` byte for byte (RFC 8414 §3.3, docs/decisions.md §4 — the SDK tolerates a trailing slash, we do not).
 * Parsed here rather than with the SDK's schema, which requires `authorization_endpoint`: an AS that
 * only redeems ID-JAGs has no authorization endpoint (RFC 8414 §2: required only when a grant uses it).
 */
export async function discoverAuthorizationServer(
  issuer: string,
  fetch: FetchLike,
): Promise<
  { ok: true; metadata: AuthorizationServerMetadata; url: string } | Extract<DiscoveryFailure, { kind: 'no_authorization_server' | 'issuer_mismatch' }>
> {
  let urls: { url: URL }[];
  try {
    urls = buildDiscoveryUrls(issuer);
  } catch {
    return { ok: false, kind: 'no_authorization_server', message: `"${issuer}" is not a URL` };
  }
  for (const { url } of urls) {
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: 'application/json' } });
    } catch (e) {
      return { ok: false, kind: 'no_authorization_server', message: `${url.href} is not reachable (${(e as Error).message})` };
    }
    if (!res.ok) {
      await res.body?.cancel();
      if (res.status < 500 || res.status === 502) continue;
      return { ok: false, kind: 'no_authorization_server', message: `HTTP ${res.status} from ${url.href}` };
    }
    const doc = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc))
      return { ok: false, kind: 'no_authorization_server', message: `${url.href} is not a JSON object` };
    if (doc.issuer !== issuer) {
      return {
        ok: false,
        kind: 'issuer_mismatch',
        message: `metadata at ${url.href} names issuer "${String(doc.issuer)}", not byte-identical to "${issuer}" (RFC 8414 §3.3)`,
      };
    }
    if (typeof doc.token_endpoint !== 'string') return { ok: false, kind: 'no_authorization_server', message: `metadata at ${url.href} has no token_endpoint` };
    return { ok: true, metadata: doc as unknown as AuthorizationServerMetadata, url: url.href };
  }
  return { ok: false, kind: 'no_authorization_server', message: `no RFC 8414 or OIDC metadata found for ${issuer}` };
}

/**
 * RFC 9728 protected resource metadata of one MCP server, served path-aware at
 * `/.well-known/oauth-protected-resource/mcp` (RFC 9728 §3.1) and at the root form
 * `/.well-known/oauth-protected-resource` (MCP-AUTHZ probing order). `resource` is this server's
 * canonical URI, exactly as the client will send it in the token exchange (MCP-AUTHZ, RFC 8707).
 */
import { DPOP_ALGORITHMS, type ProtectedResourceMetadata, protectedResourceMetadataUrl } from '@xaa/protocol';
import type { ServerDef } from '@xaa/topology';

export function protectedResourceMetadata(def: ServerDef, dpopRequired = false): ProtectedResourceMetadata {
  return {
    resource: def.resource,
    authorization_servers: [def.issuer],
    scopes_supported: [...def.scopes],
    bearer_methods_supported: ['header'],
    resource_name: def.title,
    resource_signing_alg_values_supported: ['ES256', 'RS256'],
    // RFC 9728 §2: DPoP proofs this server checks, and whether it refuses Bearer (admin setting).
    dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
    dpop_bound_access_tokens_required: dpopRequired,
  };
}

/** Paths that serve the document for this resource. */
export function protectedResourceMetadataPaths(def: ServerDef): string[] {
  const pathAware = new URL(protectedResourceMetadataUrl(def.resource)).pathname;
  return [...new Set([pathAware, '/.well-known/oauth-protected-resource'])];
}

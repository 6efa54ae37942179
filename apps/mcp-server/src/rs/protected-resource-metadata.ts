/**
 * RFC 9728 protected resource metadata of one MCP server, served path-aware at
 * `/.well-known/oauth-protected-resource/mcp` (RFC 9728 §3.1) and at the root form
 * `/.well-known/oauth-protected-resource` (MCP-AUTHZ probing order). `resource` is this server's
 * canonical URI, exactly as the client will send it in the token exchange (spec digest §2.0).
 */
import { type ProtectedResourceMetadata, protectedResourceMetadataUrl } from '@xaa/protocol';
import type { ServerDef } from '@xaa/topology';

export function protectedResourceMetadata(def: ServerDef): ProtectedResourceMetadata {
  return {
    resource: def.resource,
    authorization_servers: [def.issuer],
    scopes_supported: [...def.scopes],
    bearer_methods_supported: ['header'],
    resource_name: def.title,
    resource_signing_alg_values_supported: ['ES256', 'RS256'],
  };
}

/** Paths that serve the document for this resource. */
export function protectedResourceMetadataPaths(def: ServerDef): string[] {
  const pathAware = new URL(protectedResourceMetadataUrl(def.resource)).pathname;
  return [...new Set([pathAware, '/.well-known/oauth-protected-resource'])];
}

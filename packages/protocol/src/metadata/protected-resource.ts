/** RFC 9728 protected resource metadata and the RFC 6750 §3 / RFC 9728 §5.1 challenge. */

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
  bearer_methods_supported?: string[];
  resource_name?: string;
  resource_documentation?: string;
  [k: string]: unknown;
}

/**
 * RFC 9728 §3.1: the well-known URL is formed by inserting `/.well-known/oauth-protected-resource`
 * between the host and the path of the resource identifier.
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const u = new URL(resource);
  const path = u.pathname === '/' ? '' : u.pathname;
  return `${u.origin}/.well-known/oauth-protected-resource${path}`;
}

/** The path-aware well-known URL for an AS issuer (RFC 8414 §3.1). */
export function authorizationServerMetadataUrl(issuer: string): string {
  const u = new URL(issuer);
  const path = u.pathname === '/' ? '' : u.pathname;
  return `${u.origin}/.well-known/oauth-authorization-server${path}`;
}

const quote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Build a `WWW-Authenticate: Bearer …` value (RFC 6750 §3, RFC 9728 §5.1). */
export function bearerChallenge(params: {
  resource_metadata: string;
  scope?: string;
  error?: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  error_description?: string;
}): string {
  const parts: string[] = [];
  if (params.error) parts.push(`error=${quote(params.error)}`);
  if (params.error_description) parts.push(`error_description=${quote(params.error_description.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, ' '))}`);
  if (params.scope) parts.push(`scope=${quote(params.scope)}`);
  parts.push(`resource_metadata=${quote(params.resource_metadata)}`);
  return `Bearer ${parts.join(', ')}`;
}

/** Parse the auth-params of a Bearer challenge (tolerant of spacing and quoting). */
export function parseBearerChallenge(header: string | null | undefined): Record<string, string> | undefined {
  if (!header) return undefined;
  const m = /^\s*Bearer\b(.*)$/i.exec(header);
  if (!m) return undefined;
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let p = re.exec(m[1] as string); p; p = re.exec(m[1] as string)) {
    out[(p[1] as string).toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] as string);
  }
  return out;
}

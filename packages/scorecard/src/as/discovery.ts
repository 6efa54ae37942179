/**
 * Discovery for the AS scorecard: the AS's RFC 8414 metadata (tried in the order the MCP spec
 * gives, RFC 9728 §3, EMA §6), with the byte-for-byte issuer check of RFC 8414 §3.3, and the
 * resource's RFC 9728 metadata for its scopes.
 */
import { type AuthorizationServerMetadata, protectedResourceMetadataUrl } from '@xaa/protocol';
import { getJson, type HttpDeps, ScorecardError } from '../http.ts';

/** RFC 8414 §3.1 path insertion, then OIDC discovery both ways (MCP-AUTHZ authorization server discovery). */
export function metadataUrls(issuer: string): string[] {
  const u = new URL(issuer);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  return path
    ? [
        `${u.origin}/.well-known/oauth-authorization-server${path}`,
        `${u.origin}/.well-known/openid-configuration${path}`,
        `${u.origin}${path}/.well-known/openid-configuration`,
      ]
    : [`${u.origin}/.well-known/oauth-authorization-server`, `${u.origin}/.well-known/openid-configuration`];
}

export interface DiscoveredAs {
  metadata: AuthorizationServerMetadata;
  /** The URL the metadata came from. */
  url: string;
  /** Failed attempts before it, for the report. */
  tried: string[];
}

export async function discoverAuthorizationServer(issuer: string, deps: HttpDeps = {}): Promise<DiscoveredAs> {
  const tried: string[] = [];
  for (const url of metadataUrls(issuer)) {
    let doc: Record<string, unknown>;
    try {
      doc = await getJson(url, deps);
    } catch (e) {
      tried.push(`${url}: ${(e as Error).message}`);
      continue;
    }
    if (doc.issuer !== issuer)
      throw new ScorecardError(
        `The metadata at ${url} names issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(issuer)} (RFC 8414 §3.3 requires them to be identical).`,
        'ERR_ISSUER_MISMATCH',
      );
    if (typeof doc.token_endpoint !== 'string')
      throw new ScorecardError(`The metadata at ${url} has no token_endpoint (RFC 8414 §2).`, 'ERR_NO_TOKEN_ENDPOINT');
    return { metadata: doc as AuthorizationServerMetadata, url, tried };
  }
  throw new ScorecardError(`No RFC 8414 metadata found for ${issuer}. Tried:\n  ${tried.join('\n  ')}`, 'ERR_NO_METADATA');
}

/** RFC 9728 metadata of the resource; undefined when it has none (the scorecard then needs --scope). */
export async function discoverResource(resource: string, deps: HttpDeps = {}): Promise<Record<string, unknown> | undefined> {
  try {
    return await getJson(protectedResourceMetadataUrl(resource), deps);
  } catch {
    return undefined;
  }
}

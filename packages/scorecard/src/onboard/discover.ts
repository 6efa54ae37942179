/**
 * Bringing your own MCP server, step 1: find out what it is from the outside, as an MCP client does
 * (MCP-AUTHZ): an unauthenticated request → 401 with `WWW-Authenticate: Bearer resource_metadata=…`
 * (RFC 9728 §5.1) → the protected resource metadata (RFC 9728 §3) → the authorization server's
 * metadata (RFC 8414 §3). Each step becomes a finding: what was found, or what is missing, where to
 * change it and the clause that asks for it. Nothing is registered here.
 */
import { GRANT_PROFILE_ID_JAG, GRANT_TYPE_JWT_BEARER, protectedResourceMetadataUrl } from '@xaa/protocol';
import { discoverAuthorizationServer } from '../as/discovery.ts';
import { getJson, type HttpDeps, request } from '../http.ts';

export type FindingStatus = 'ok' | 'missing' | 'warn' | 'pending';

export interface Finding {
  /** Stable id: `mcp.challenge`, `prm`, `prm.resource`, `as.metadata`, `as.jwt-bearer`, `as.id-jag-profile`, `as.client-auth`, `scopes`, `as.trust`. */
  id: string;
  label: string;
  status: FindingStatus;
  /** What was seen. */
  detail: string;
  /** What to change, and where (absent when nothing needs changing). */
  fix?: string;
  specRef: string;
}

export interface ServerDiscovery {
  /** The MCP URL as given. */
  url: string;
  /** True when the server can be registered: metadata found, the AS redeems ID-JAGs. */
  ok: boolean;
  resource?: string;
  resourceMetadataUrl?: string;
  /** The PRM's `resource_name`, when it has one. */
  resourceName?: string;
  issuer?: string;
  asMetadataUrl?: string;
  tokenEndpoint?: string;
  authMethods?: string[];
  scopes: string[];
  findings: Finding[];
}

/** `resource_metadata="…"` of a Bearer challenge (RFC 9728 §5.1), if present. */
export function resourceMetadataFrom(header: string | null): string | undefined {
  if (!header || !/^\s*bearer\b/i.test(header)) return undefined;
  return header.match(/resource_metadata\s*=\s*"((?:[^"\\]|\\.)*)"/i)?.[1]?.replace(/\\(.)/g, '$1');
}

const isHttpUrl = (v: string) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.hash;
  } catch {
    return false;
  }
};

/** A usage problem with the URL itself (not a finding about the server). */
export class BadServerUrl extends Error {
  readonly code = 'ERR_BAD_URL';
}

export async function discoverMcpServer(url: string, deps: HttpDeps = {}): Promise<ServerDiscovery> {
  if (!isHttpUrl(url)) throw new BadServerUrl(`${JSON.stringify(url)} is not an http(s) URL of an MCP endpoint (e.g. https://mcp.example.test/mcp).`);
  const findings: Finding[] = [];
  const out: ServerDiscovery = { url, ok: false, scopes: [], findings };
  const finish = () => {
    out.ok = !findings.some((f) => f.status === 'missing');
    return out;
  };

  // 1. An MCP request without a token: a protected server answers 401 and points at its metadata.
  let challenge: string | undefined;
  try {
    const r = await request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'xaa-add-server', version: '1' } },
        }),
      },
      deps,
    );
    if (r.status === 401) {
      challenge = resourceMetadataFrom(r.headers.get('www-authenticate'));
      findings.push(
        challenge
          ? {
              id: 'mcp.challenge',
              label: '401 challenge names the resource metadata',
              status: 'ok',
              detail: `401 WWW-Authenticate: Bearer resource_metadata="${challenge}"`,
              specRef: 'RFC 9728 §5.1, MCP-AUTHZ protected resource metadata discovery',
            }
          : {
              id: 'mcp.challenge',
              label: '401 challenge names the resource metadata',
              status: 'warn',
              detail: `401 without resource_metadata in WWW-Authenticate (${r.headers.get('www-authenticate') ?? 'no header'}); trying the well-known URL`,
              fix: `At your MCP server: answer unauthenticated requests with WWW-Authenticate: Bearer resource_metadata="${protectedResourceMetadataUrl(url)}".`,
              specRef: 'RFC 9728 §5.1, MCP-AUTHZ protected resource metadata discovery',
            },
      );
    } else {
      findings.push({
        id: 'mcp.challenge',
        label: '401 challenge names the resource metadata',
        status: 'missing',
        detail: `${url} answered ${r.status} to an MCP request without a token.`,
        fix:
          r.status >= 200 && r.status < 300
            ? 'At your MCP server: require an OAuth access token (Authorization: Bearer) and answer 401 with WWW-Authenticate: Bearer resource_metadata="…" without one. XAA only applies to protected servers.'
            : 'Check that this is the MCP endpoint itself (e.g. …/mcp), and that it answers 401 with WWW-Authenticate: Bearer resource_metadata="…" to a request without a token.',
        specRef: 'MCP-AUTHZ authorization flow, RFC 6750 §3, RFC 9728 §5.1',
      });
    }
  } catch (e) {
    findings.push({
      id: 'mcp.challenge',
      label: 'the MCP endpoint answers',
      status: 'missing',
      detail: `${url} did not answer: ${(e as Error).message}${(e as { cause?: { code?: string } }).cause?.code ? ` (${(e as { cause: { code: string } }).cause.code})` : ''}`,
      fix: 'Check the URL, that the server is running, and that this machine can reach it (host, port, http or https).',
      specRef: 'MCP-AUTHZ authorization flow',
    });
    return finish();
  }
  if (findings.some((f) => f.status === 'missing')) return finish();

  // 2. RFC 9728 metadata: from the challenge, else the path-inserted well-known URL.
  const prmUrl = challenge && isHttpUrl(challenge) ? challenge : protectedResourceMetadataUrl(url);
  let prm: Record<string, unknown>;
  try {
    prm = await getJson(prmUrl, deps);
  } catch (e) {
    findings.push({
      id: 'prm',
      label: 'protected resource metadata',
      status: 'missing',
      detail: (e as Error).message,
      fix: `At your MCP server: serve a JSON document at ${prmUrl} with "resource": "${url}" and "authorization_servers": ["<your AS issuer>"].`,
      specRef: 'RFC 9728 §3, §3.2',
    });
    return finish();
  }
  out.resourceMetadataUrl = prmUrl;
  const resource = typeof prm.resource === 'string' ? prm.resource : undefined;
  const servers = Array.isArray(prm.authorization_servers) ? prm.authorization_servers.filter((s): s is string => typeof s === 'string') : [];
  if (typeof prm.resource_name === 'string' && prm.resource_name.trim()) out.resourceName = prm.resource_name.trim().slice(0, 200);
  if (!resource || resource !== url) {
    findings.push({
      id: 'prm.resource',
      label: 'metadata names this resource',
      status: 'missing',
      detail: resource ? `"resource" is ${resource}, not the URL given (${url}).` : 'the metadata has no "resource".',
      fix: resource
        ? `Use the server's resource identifier as the URL (${resource}), or make the metadata's "resource" equal ${url} byte for byte.`
        : `At your MCP server: add "resource": "${url}" to ${prmUrl}.`,
      specRef: 'RFC 9728 §3.3',
    });
    return finish();
  }
  out.resource = resource;
  findings.push({
    id: 'prm',
    label: 'protected resource metadata',
    status: servers.length ? 'ok' : 'missing',
    detail: servers.length ? `${prmUrl}: resource ${resource}, authorization server ${servers.join(', ')}` : `${prmUrl} lists no authorization_servers.`,
    ...(servers.length ? {} : { fix: `At your MCP server: add "authorization_servers": ["<your AS issuer>"] to ${prmUrl}.` }),
    specRef: 'RFC 9728 §2, §3.2',
  });
  if (!servers.length) return finish();
  const issuer = servers[0] as string;
  out.issuer = issuer;

  // 3. RFC 8414 metadata of the (first) authorization server.
  let md: Record<string, unknown>;
  try {
    const found = await discoverAuthorizationServer(issuer, deps);
    md = found.metadata as unknown as Record<string, unknown>;
    out.asMetadataUrl = found.url;
    out.tokenEndpoint = String(md.token_endpoint);
    findings.push({
      id: 'as.metadata',
      label: 'authorization server metadata',
      status: 'ok',
      detail: `${found.url}: issuer ${issuer}, token endpoint ${out.tokenEndpoint}`,
      specRef: 'RFC 8414 §3, §3.3',
    });
  } catch (e) {
    findings.push({
      id: 'as.metadata',
      label: 'authorization server metadata',
      status: 'missing',
      detail: (e as Error).message,
      fix: `At your authorization server: serve RFC 8414 metadata at ${new URL(issuer).origin}/.well-known/oauth-authorization-server${new URL(issuer).pathname.replace(/\/$/, '')} with "issuer": "${issuer}" (identical) and a token_endpoint.`,
      specRef: 'RFC 8414 §3, §3.3',
    });
    return finish();
  }
  const grants = Array.isArray(md.grant_types_supported) ? (md.grant_types_supported as unknown[]) : undefined;
  const jwtBearer = grants?.includes(GRANT_TYPE_JWT_BEARER) ?? false;
  findings.push({
    id: 'as.jwt-bearer',
    label: 'jwt-bearer grant',
    status: jwtBearer ? 'ok' : 'missing',
    detail: jwtBearer
      ? `grant_types_supported includes ${GRANT_TYPE_JWT_BEARER}`
      : `grant_types_supported is ${grants ? JSON.stringify(grants) : 'absent (RFC 8414 default: authorization_code, implicit)'}`,
    ...(jwtBearer
      ? {}
      : {
          fix: `At your authorization server: implement the RFC 7523 jwt-bearer grant for ID-JAGs and list "${GRANT_TYPE_JWT_BEARER}" in grant_types_supported.`,
        }),
    specRef: 'RFC 7523 §2.1, RFC 8414 §2, draft-04 §7.2',
  });
  const profiles = Array.isArray(md.authorization_grant_profiles_supported) ? (md.authorization_grant_profiles_supported as unknown[]) : [];
  const idJag = profiles.includes(GRANT_PROFILE_ID_JAG);
  findings.push({
    id: 'as.id-jag-profile',
    label: 'ID-JAG grant profile',
    status: idJag ? 'ok' : 'missing',
    detail: idJag
      ? `authorization_grant_profiles_supported includes ${GRANT_PROFILE_ID_JAG}`
      : 'authorization_grant_profiles_supported does not list the ID-JAG profile',
    ...(idJag
      ? {}
      : {
          fix: `At your authorization server: add "authorization_grant_profiles_supported": ["${GRANT_PROFILE_ID_JAG}"] to its metadata; clients use it to choose XAA over the classic flow.`,
        }),
    specRef: 'draft-04 §7.2, EMA §6',
  });
  const methods = Array.isArray(md.token_endpoint_auth_methods_supported)
    ? (md.token_endpoint_auth_methods_supported as unknown[]).filter((m): m is string => typeof m === 'string')
    : undefined;
  out.authMethods = methods ?? ['client_secret_basic'];
  const secretAuth = !methods || methods.includes('client_secret_basic') || methods.includes('client_secret_post');
  findings.push({
    id: 'as.client-auth',
    label: 'client authentication with a secret',
    status: secretAuth ? 'ok' : 'warn',
    detail: methods ? `token_endpoint_auth_methods_supported: ${methods.join(', ')}` : 'not listed (RFC 8414 default: client_secret_basic)',
    ...(secretAuth
      ? {}
      : { fix: 'At your authorization server: allow client_secret_basic or client_secret_post, which the playground agent and the scorecard use.' }),
    specRef: 'RFC 8414 §2, RFC 6749 §2.3.1',
  });
  const prmScopes = Array.isArray(prm.scopes_supported) ? prm.scopes_supported.filter((s): s is string => typeof s === 'string') : undefined;
  const asScopes = Array.isArray(md.scopes_supported)
    ? (md.scopes_supported as unknown[]).filter((s): s is string => typeof s === 'string' && !['openid', 'offline_access', 'profile', 'email'].includes(s))
    : undefined;
  out.scopes = [...new Set(prmScopes ?? asScopes ?? [])].filter((s) => /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/.test(s)).slice(0, 100);
  findings.push({
    id: 'scopes',
    label: 'scopes',
    status: out.scopes.length ? 'ok' : 'warn',
    detail: out.scopes.length
      ? `${out.scopes.join(' ')} (from the ${prmScopes ? 'resource' : 'authorization server'} metadata)`
      : 'neither metadata lists scopes_supported',
    ...(out.scopes.length
      ? {}
      : {
          fix: `At your MCP server: list "scopes_supported" in ${prmUrl}; a connection needs at least one scope (give it with --scope meanwhile).`,
        }),
    specRef: 'RFC 9728 §2, MCP-AUTHZ scope selection',
  });
  findings.push({
    id: 'as.trust',
    label: "trusts the playground IdP's keys",
    status: 'pending',
    detail: 'not visible from outside: the scorecard’s valid ID-JAG case checks it once the client is registered at your AS',
    specRef: 'draft-04 §4.4, RFC 7523 §3',
  });
  return finish();
}

/**
 * The XAA legs as single HTTP calls, for driving load and probing: RFC 8693 token exchange at the IdP
 * (draft-04 §4.3), RFC 7523 jwt-bearer at the server's AS (draft-04 §4.4), an MCP `tools/call` with the
 * access token, and the ops client's client-credentials token for an admin API (docs/decisions.md §2).
 * Each returns the raw response so callers can classify failures by kind.
 */
import type { Agent } from 'node:http';
import { parseSse } from '@xaa/node-kit/sse';
import {
  ADMIN_SCOPE,
  GRANT_TYPE_CLIENT_CREDENTIALS,
  GRANT_TYPE_JWT_BEARER,
  GRANT_TYPE_TOKEN_EXCHANGE,
  TOKEN_TYPE_ID_JAG,
  TOKEN_TYPE_ID_TOKEN,
} from '@xaa/protocol';
import { basic, form, type HttpResponse, json, jsonOnce, send } from './http.ts';
import { discover } from './sso.ts';
import type { Manifest } from './stack.ts';

export interface AsMetadata {
  issuer: string;
  token_endpoint: string;
  [k: string]: unknown;
}

/** RFC 8414 metadata of a server's AS (issuer without a path: `/.well-known/oauth-authorization-server`). */
export function asMetadata(issuer: string): Promise<AsMetadata> {
  return jsonOnce<AsMetadata>(`${issuer}/.well-known/oauth-authorization-server`, `AS metadata at ${issuer}`);
}

export async function idpTokenEndpoint(issuer: string): Promise<string> {
  return (await discover(issuer)).token_endpoint;
}

export type ClientDef = Manifest['clients'][number];
export type ServerDef = Manifest['servers'][number];

export interface CallOptions {
  agent?: Agent;
  timeoutMs?: number;
  traceparent?: string;
}

function extra(o: CallOptions) {
  return { ...(o.agent ? { agent: o.agent } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) };
}

/** Leg 2: ID token → ID-JAG for `server` (RFC 8693 §2.1, draft-04 §4.3.1). */
export function tokenExchange(
  tokenEndpoint: string,
  client: ClientDef,
  idToken: string,
  server: ServerDef,
  scope: string | undefined,
  o: CallOptions = {},
): Promise<HttpResponse> {
  return send(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic(client.idp.client_id, client.idp.client_secret),
      ...(o.traceparent ? { traceparent: o.traceparent } : {}),
    },
    body: form({
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      requested_token_type: TOKEN_TYPE_ID_JAG,
      subject_token: idToken,
      subject_token_type: TOKEN_TYPE_ID_TOKEN,
      audience: server.issuer,
      resource: server.resource,
      scope,
    }),
    ...extra(o),
  });
}

/** Leg 3: ID-JAG → access token at the server's AS (RFC 7523 §2.1, draft-04 §4.4). */
export function jwtBearer(tokenEndpoint: string, client: ClientDef, server: ServerDef, idJag: string, o: CallOptions = {}): Promise<HttpResponse> {
  const reg = client.servers[server.name];
  if (!reg) throw new Error(`${client.name} has no registration at ${server.name}`);
  return send(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basic(reg.client_id, reg.client_secret),
      ...(o.traceparent ? { traceparent: o.traceparent } : {}),
    },
    body: form({ grant_type: GRANT_TYPE_JWT_BEARER, assertion: idJag }),
    ...extra(o),
  });
}

/** Client credentials for an admin API: `resource` = the API's URL (RFC 8707), scope `xaa:admin`. */
export async function opsToken(manifest: Manifest, resource: string, scope = ADMIN_SCOPE): Promise<HttpResponse> {
  return send(await idpTokenEndpoint(manifest.idp.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(manifest.ops.client_id, manifest.ops.client_secret) },
    body: form({ grant_type: GRANT_TYPE_CLIENT_CREDENTIALS, resource, scope }),
  });
}

export async function opsAccessToken(manifest: Manifest, resource: string): Promise<string> {
  const r = await opsToken(manifest, resource);
  if (r.status !== 200) throw new Error(`ops token for ${resource}: ${r.status} ${r.body.slice(0, 200)}`);
  return json<{ access_token: string }>(r).access_token;
}

/** The 2025-era MCP revision (initialize handshake, then requests). */
export const MCP_PROTOCOL_VERSION = '2025-11-25';
/** The stateless 2026-07-28 revision: every request carries its own `_meta` envelope, no handshake. */
export const MCP_MODERN_VERSION = '2026-07-28';

/** Reads a JSON-RPC message from a JSON or SSE (`text/event-stream`) response body. */
export function jsonRpcResult(res: HttpResponse): { result?: unknown; error?: { code: number; message: string } } | undefined {
  const ct = String(res.headers['content-type'] ?? '');
  const text = ct.includes('text/event-stream') ? parseSse(res.body).pop()?.data : res.body;
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One MCP request over Streamable HTTP. */
export function mcpPost(
  resource: string,
  accessToken: string,
  message: unknown,
  o: CallOptions & { sessionId?: string; version?: string; headers?: Record<string, string> } = {},
): Promise<HttpResponse> {
  return send(resource, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${accessToken}`,
      'mcp-protocol-version': o.version ?? MCP_PROTOCOL_VERSION,
      ...(o.sessionId ? { 'mcp-session-id': o.sessionId } : {}),
      ...o.headers,
      ...(o.traceparent ? { traceparent: o.traceparent } : {}),
    },
    body: JSON.stringify(message),
    ...extra(o),
  });
}

export type McpCallOutcome = { ok: true; requests: number } | { ok: false; kind: string; status: number; body: string };

/** A 2026-07-28 request: one POST, the protocol version and client capabilities in `params._meta`. */
export function modernRequest(id: number, method: string, params: Record<string, unknown> = {}) {
  return {
    jsonrpc: '2.0',
    id,
    method,
    params: {
      ...params,
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MCP_MODERN_VERSION,
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/clientInfo': { name: 'xaa-harness', version: '0' },
      },
    },
  };
}

/** 2026-07-28 standard request headers: `Mcp-Method`, and `Mcp-Name` for the tool (ASCII names as is). */
export function modernHeaders(method: string, name?: string): Record<string, string> {
  return { 'mcp-method': method, ...(name ? { 'mcp-name': name } : {}) };
}

/** `tools/call` as one stateless 2026-07-28 request. */
export async function mcpModernToolCall(resource: string, accessToken: string, tool: string, args: unknown, o: CallOptions = {}): Promise<McpCallOutcome> {
  const call = await mcpPost(resource, accessToken, modernRequest(1, 'tools/call', { name: tool, arguments: args }), {
    ...o,
    version: MCP_MODERN_VERSION,
    headers: modernHeaders('tools/call', tool),
  });
  if (call.status !== 200) return { ok: false, kind: `mcp tools/call ${call.status}`, status: call.status, body: call.body };
  const msg = jsonRpcResult(call);
  if (!msg || msg.error)
    return { ok: false, kind: `mcp tools/call ${msg?.error ? `error ${msg.error.code}` : 'unreadable'}`, status: call.status, body: call.body };
  if ((msg.result as { isError?: boolean })?.isError) return { ok: false, kind: 'mcp tool isError', status: call.status, body: call.body };
  return { ok: true, requests: 1 };
}

/**
 * 2025-era: `initialize` → `notifications/initialized` → `tools/call` with a fresh access token, as a
 * client does on a new connection. Returns the first failure by kind.
 */
export async function mcpToolCall(resource: string, accessToken: string, tool: string, args: unknown, o: CallOptions = {}): Promise<McpCallOutcome> {
  const init = await mcpPost(
    resource,
    accessToken,
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'xaa-harness', version: '0' } },
    },
    o,
  );
  if (init.status !== 200) return { ok: false, kind: `mcp initialize ${init.status}`, status: init.status, body: init.body };
  const sessionId = init.headers['mcp-session-id'] as string | undefined;
  const sess = { ...o, ...(sessionId ? { sessionId } : {}) };
  const note = await mcpPost(resource, accessToken, { jsonrpc: '2.0', method: 'notifications/initialized' }, sess);
  if (note.status >= 300) return { ok: false, kind: `mcp initialized ${note.status}`, status: note.status, body: note.body };
  const call = await mcpPost(resource, accessToken, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: tool, arguments: args } }, sess);
  if (call.status !== 200) return { ok: false, kind: `mcp tools/call ${call.status}`, status: call.status, body: call.body };
  const msg = jsonRpcResult(call);
  if (!msg || msg.error)
    return { ok: false, kind: `mcp tools/call ${msg?.error ? `error ${msg.error.code}` : 'unreadable'}`, status: call.status, body: call.body };
  if ((msg.result as { isError?: boolean })?.isError) return { ok: false, kind: 'mcp tool isError', status: call.status, body: call.body };
  if (sessionId)
    await send(resource, { method: 'DELETE', headers: { authorization: `Bearer ${accessToken}`, 'mcp-session-id': sessionId }, ...extra(o) }).catch(() => {});
  return { ok: true, requests: sessionId ? 4 : 3 };
}

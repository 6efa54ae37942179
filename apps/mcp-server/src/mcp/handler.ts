/**
 * The MCP endpoint of one sample server on the official SDK v2: `createMcpHandler` builds a fresh
 * `McpServer` per request (2026-07-28 stateless traffic and 2025-era traffic through the SDK's
 * stateless legacy leg), with the server's tools, each behind the SDK's per-tool scope challenge
 * (403 `insufficient_scope` naming every scope the tool needs plus `resource_metadata`,
 * MCP-AUTHZ). The server declares the EMA extension in its capabilities (MCP extensions, SEP-2133).
 */
import type { NodeMcpRequestHandler } from '@modelcontextprotocol/node';
import { type AuthInfo, type CallToolResult, createMcpHandler, type McpHttpHandler, McpServer, requireScopes } from '@modelcontextprotocol/server';
import { deepFreeze } from '@xaa/node-kit';
import { requestTrace } from '@xaa/node-kit/oidc-host';
import { EMA_EXTENSION_ID, newTrace, parseTraceparent } from '@xaa/protocol';
import type { ServerRuntime } from '../context.ts';
import { exchangeOf, nodeHttpHandler } from './node-http.ts';
import { type Actor, actorLabel, type ToolDefinition } from './tool.ts';

const VERSION = '0.1.0';

function toResult(out: ReturnType<ToolDefinition['run']>): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text: out.text }] };
  if (out.data) result.structuredContent = out.data;
  if (out.isError) result.isError = true;
  return result;
}

type JsonSchemaOptions = { target: string };
type StandardJson = {
  '~standard': {
    validate: unknown;
    vendor: string;
    version: number;
    jsonSchema: { input(o: JsonSchemaOptions): Record<string, unknown>; output(o: JsonSchemaOptions): Record<string, unknown> };
  };
};
const cachedSchemas = new WeakMap<object, object>();

/**
 * The tool's zod schema with its JSON Schema form computed once: the SDK builds a fresh `McpServer` per
 * request and converts the input schema of the called tool each time (for `Mcp-Param-*` headers), which
 * is the same JSON every time. Validation is zod's own (`~standard.validate`), unchanged.
 */
function withCachedJsonSchema<S extends object>(schema: S): S {
  let wrapped = cachedSchemas.get(schema);
  if (!wrapped) {
    const std = (schema as unknown as StandardJson)['~standard'];
    const memo = new Map<string, Record<string, unknown>>();
    const once = (io: 'input' | 'output') => (o: JsonSchemaOptions) => {
      const key = `${io} ${o.target}`;
      let json = memo.get(key);
      if (!json) {
        json = deepFreeze(std.jsonSchema[io](o));
        memo.set(key, json);
      }
      return json;
    };
    wrapped = { '~standard': { ...std, jsonSchema: { input: once('input'), output: once('output') } } };
    cachedSchemas.set(schema, wrapped);
  }
  return wrapped as S;
}

/** What the MCP layer needs of a server runtime. */
export type McpRuntime = Pick<ServerRuntime, 'def' | 'tools' | 'db' | 'flowLog' | 'nowSeconds' | 'party'>;

/** One tool as registered on every per-request server: what does not depend on the request, built once. */
interface PreparedTool {
  tool: ToolDefinition;
  config: {
    title: string;
    description: string;
    inputSchema: ToolDefinition['inputSchema'];
    annotations: { readOnlyHint: boolean; openWorldHint: boolean };
    _meta: Record<string, unknown>;
  };
  challenge: ReturnType<typeof requireScopes>;
}

/**
 * The per-request `McpServer` factory of one runtime. Server info, options and each tool's
 * registration (title, description, input schema with its JSON Schema form, annotations, scope rule)
 * are built once; each request gets its own `McpServer` (no state shared between exchanges) whose
 * tool callbacks and scope challenges close over that request's actor and trace.
 *
 * A `tools/call` exchange registers just the tool it names: the one exchange this server serves can
 * reach no other (the SDK looks the called tool up by name for the call, its scope challenge and its
 * `Mcp-Param-*` headers, and answers an unknown name the same way either way). Every other request
 * (`tools/list`, `initialize`, batches, …) gets all tools.
 */
export function mcpServerFactory(rt: McpRuntime) {
  const info = deepFreeze({ name: `xaa-playground-${rt.def.name}`, title: rt.def.title, version: VERSION });
  const options = deepFreeze({
    capabilities: { tools: { listChanged: false }, extensions: { [EMA_EXTENSION_ID]: {} } },
    instructions: `${rt.def.title}: a sample MCP server of the XAA playground. Every result names the user and the client that acted.`,
  });
  const prepared = new Map<string, PreparedTool>();
  for (const tool of rt.tools.tools as ToolDefinition[])
    prepared.set(tool.name, {
      tool,
      challenge: requireScopes(tool.scope),
      config: {
        title: tool.title,
        description: `${tool.description} Requires scope ${tool.scope}.`,
        inputSchema: withCachedJsonSchema(tool.inputSchema),
        annotations: deepFreeze({ readOnlyHint: tool.readOnly, openWorldHint: false }),
        _meta: deepFreeze({ 'io.xaa-playground/scope': tool.scope }),
      },
    });
  const all = [...prepared.values()];

  return function buildMcpServer(authInfo: AuthInfo | undefined, traceId: string, message?: unknown): McpServer {
    const server = new McpServer(info, options);
    const actor = (authInfo?.extra as { actor?: Actor } | undefined)?.actor;
    const called = calledTool(message);
    const tools = called === undefined ? all : prepared.has(called) ? [prepared.get(called) as PreparedTool] : [];
    for (const { tool, config, challenge } of tools) {
      server.registerTool(
        tool.name,
        {
          title: config.title,
          description: config.description,
          inputSchema: config.inputSchema,
          annotations: config.annotations,
          _meta: config._meta,
          scopeChallenge: (context) => {
            const c = challenge(context);
            if (c)
              rt.flowLog.emit({
                traceId,
                party: rt.party.mcp,
                step: 'mcp.request',
                outcome: 'denied',
                summary: `${tool.name} needs ${tool.scope}; the token has ${context.authInfo?.scopes.join(' ') || 'no scope'} (403 insufficient_scope)`,
                subject: { server: rt.def.name, ...(actor ? { user: actor.username, client: actor.clientId } : {}) },
                error: { code: 'insufficient_scope', description: `Scope ${tool.scope} is required.`, specRef: 'RFC 6750 §3.1, MCP-AUTHZ' },
                data: { tool: tool.name },
              });
            return c;
          },
        },
        async (input: unknown) => {
          if (!actor) return { content: [{ type: 'text', text: 'This server requires an access token.' }], isError: true };
          let out: ReturnType<ToolDefinition['run']>;
          try {
            out = tool.run({ db: rt.db, server: rt.def.name, actor, nowSeconds: rt.nowSeconds() }, input as never);
          } catch (e) {
            console.error(`[mcp:${rt.def.name}] tool ${tool.name} failed:`, (e as Error).message);
            out = { text: `${tool.name} failed unexpectedly.`, isError: true };
          }
          rt.flowLog.emit({
            traceId,
            party: rt.party.mcp,
            step: 'mcp.response',
            outcome: out.isError ? 'error' : 'ok',
            summary: `${actorLabel(actor)} called ${tool.name}: ${firstLine(out.text)}`,
            subject: { server: rt.def.name, user: actor.username, client: actor.clientId },
            data: callData(tool.name, authInfo),
          });
          return toResult(out);
        },
      );
    }
    return server;
  };
}

/** The tool a single `tools/call` message names; undefined for any other message (or a batch). */
function calledTool(message: unknown): string | undefined {
  if (!message || typeof message !== 'object' || Array.isArray(message)) return undefined;
  const m = message as { method?: unknown; params?: { name?: unknown } };
  return m.method === 'tools/call' && typeof m.params?.name === 'string' ? m.params.name : undefined;
}

const firstLine = (text: string) => {
  const nl = text.indexOf('\n');
  return nl === -1 ? text : text.slice(0, nl);
};

/**
 * The `mcp.response` event's data: the tool and the token's scopes; a call made with a DPoP-bound
 * token and a verified proof names the key (its thumbprint, RFC 9449 §7).
 */
function callData(tool: string, authInfo: AuthInfo | undefined): { tool: string; scopes: string[]; dpop?: { jkt: string } } {
  const data: { tool: string; scopes: string[]; dpop?: { jkt: string } } = { tool, scopes: authInfo?.scopes ?? [] };
  const jkt = (authInfo?.extra as { jkt?: unknown } | undefined)?.jkt;
  if (typeof jkt === 'string') data.dpop = { jkt };
  return data;
}

const quietErrors = /Unsupported|Parse error|Invalid|Method not allowed|Not Acceptable/i;

export function mcpHttpHandler(rt: McpRuntime): McpHttpHandler {
  const build = mcpServerFactory(rt);
  return createMcpHandler(
    (ctx) => {
      const exchange = exchangeOf(ctx.requestInfo);
      // The trace of this HTTP request (W3C Trace Context), as the rest of the server logs it.
      const trace = parseTraceparent(ctx.requestInfo?.headers.get('traceparent')) ?? (exchange ? requestTrace(exchange.req) : newTrace());
      return build(ctx.authInfo, trace.traceId, exchange?.message);
    },
    {
      legacy: 'stateless',
      onerror: (e) => {
        if (!quietErrors.test(e.message)) console.error(`[mcp:${rt.def.name}]`, e.message);
      },
    },
  );
}

/** The handler with its Node `(req, res)` face (`req.auth` = the verified AuthInfo). */
export function nodeMcpHandler(rt: McpRuntime, maxRequestBodySize: number): { handle: NodeMcpRequestHandler; close(): Promise<void> } {
  const handler = mcpHttpHandler(rt);
  const handle = nodeHttpHandler(handler, maxRequestBodySize, (e) => console.error(`[mcp:${rt.def.name}]`, e.message));
  return { handle: handle as unknown as NodeMcpRequestHandler, close: () => handler.close() };
}

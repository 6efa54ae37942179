/**
 * The guarded surface: its routers are reachable only through the guard, whatever the spelling of the
 * path. A path differing from a route by case, a doubled or encoded slash, a dot segment or a suffix
 * meets the guard (401) without credentials and matches no route (404) with them.
 */
import { request } from 'node:http';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedSurface, loosePath, surfaceRouter, underPrefix } from '../src/guarded-surface.ts';
import { hostCheck } from '../src/host-check.ts';
import { listen, type RunningServer } from '../src/server.ts';

const SECRET = 'record-7f3a';

/** A stand-in authentication step (the surface takes any guard): `Bearer good` passes. */
const guard: Middleware = async (ctx, next) => {
  if (ctx.get('authorization') !== 'Bearer good') {
    ctx.status = 401;
    ctx.body = { error: 'invalid_token' };
    return;
  }
  await next();
};

function routes(router: Router) {
  router.get('/users', (ctx) => {
    ctx.body = { users: [{ id: SECRET }] };
  });
  router.get('/users/:id', (ctx) => {
    ctx.body = { id: ctx.params.id, secret: SECRET };
  });
  router.post('/data/reset', (ctx) => {
    ctx.body = { reset: SECRET };
  });
  return router;
}

/** Raw request: the path goes on the wire as written (fetch and URL would normalise it). */
function raw(port: number, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `localhost:${port}`, ...headers }, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export const SPELLINGS = [
  '/ADMIN/users',
  '/Admin/users',
  '/admin/USERS',
  '//admin/users',
  '/admin//users',
  '/admin%2fusers',
  '/admin%2Fusers',
  '/admin%252fusers',
  '/admin\\users',
  '/admin/./users',
  '/admin/x/../users',
  '/x/../admin/users',
  '/admin/users/',
  '/admin/users;x',
  '/admin/users.json',
  '/admin/users%00',
  '/admin/users%20',
  '/%61dmin/users',
  '/admin;x/users',
  '/admin/%2e%2e/users',
  '/admin/../users',
];

describe('loosePath / underPrefix', () => {
  it('reads every spelling of the prefix as the prefix', () => {
    expect(loosePath('/x/../ADMIN%252F.//users')).toBe('/admin/users');
    for (const p of SPELLINGS) expect(underPrefix(p, '/admin'), p).toBe(true);
    for (const p of ['/administrator', '/adminx/users', '/mcp', '/', '/auth/admin']) expect(underPrefix(p, '/admin'), p).toBe(false);
  });
});

describe('guardedSurface', () => {
  let fixed: RunningServer;
  let weak: RunningServer;
  beforeAll(async () => {
    const app = new Koa();
    app.use(guardedSurface({ prefix: '/admin', before: [hostCheck(['localhost'])], guard, routers: [routes(surfaceRouter('/admin'))] }));
    app.use((ctx) => {
      ctx.body = 'outside';
    });
    fixed = await listen(app.callback(), 0, '127.0.0.1', 'fixed');
    // The weakened guard (the shape of the original bug): a case-sensitive string compare in front of a
    // router whose prefix matches case-insensitively.
    const w = new Koa();
    w.use((ctx, next) => (ctx.path.startsWith('/admin/') ? guard(ctx, next) : next()));
    const r = routes(new Router({ prefix: '/admin' }));
    w.use(r.routes());
    weak = await listen(w.callback(), 0, '127.0.0.1', 'weak');
  });
  afterAll(async () => {
    await fixed?.close();
    await weak?.close();
  });

  it('the weakened fixture leaks a record under another spelling (so the probes below can fail)', async () => {
    const r = await raw(weak.port, '/ADMIN/users');
    expect(r.status).toBe(200);
    expect(r.body).toContain(SECRET);
  });

  it('serves the exact route to an authorised caller and refuses anonymous callers', async () => {
    expect((await raw(fixed.port, '/admin/users', 'GET', { authorization: 'Bearer good' })).body).toContain(SECRET);
    expect((await raw(fixed.port, '/admin/users')).status).toBe(401);
    expect((await raw(fixed.port, '/admin/users/a%2Fb', 'GET', { authorization: 'Bearer good' })).body).toContain('"id":"a/b"');
  });

  it.each(SPELLINGS)('%s: 401 without credentials, 404 with them, never the record', async (path) => {
    const anon = await raw(fixed.port, path);
    expect(anon.status).toBe(401);
    expect(anon.body).not.toContain(SECRET);
    const authed = await raw(fixed.port, path, 'GET', { authorization: 'Bearer good' });
    expect(authed.status).toBe(404);
    expect(authed.body).not.toContain(SECRET);
  });

  it('HEAD, OPTIONS and method-override headers meet the guard too', async () => {
    for (const [method, headers] of [
      ['HEAD', {}],
      ['OPTIONS', {}],
      ['GET', { 'x-http-method-override': 'POST' }],
      ['GET', { 'x-http-method': 'POST' }],
    ] as const) {
      const r = await raw(fixed.port, '/admin/data/reset', method, headers);
      expect(r.status, `${method} ${JSON.stringify(headers)}`).toBe(401);
      expect(r.body).not.toContain(SECRET);
    }
    const override = await raw(fixed.port, '/admin/data/reset', 'GET', { authorization: 'Bearer good', 'x-http-method-override': 'POST' });
    expect(override.status).toBe(405);
    expect(override.body).not.toContain(SECRET);
  });

  it('paths outside the surface pass on', async () => {
    expect((await raw(fixed.port, '/administrator')).body).toBe('outside');
  });

  it('refuses a Host or Origin that does not name the server (DNS rebinding)', async () => {
    expect((await raw(fixed.port, '/admin/users', 'GET', { authorization: 'Bearer good', host: 'evil.example' })).status).toBe(403);
    expect((await raw(fixed.port, '/admin/users', 'GET', { authorization: 'Bearer good', origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw(fixed.port, '/admin/users', 'GET', { authorization: 'Bearer good', origin: 'null' })).status).toBe(403);
    expect((await raw(fixed.port, '/admin/users', 'GET', { authorization: 'Bearer good', origin: `http://localhost:${fixed.port}` })).status).toBe(200);
  });
});

/**
 * The admin API of a server origin under other spellings of its paths: `@koa/router` matches a prefix
 * case-insensitively, so a guard that compared the path string in front of it let `GET /ADMIN/users`
 * through with no token. The routers now live inside the guard (node-kit guardedSurface), are
 * case-sensitive and strict, and the Host check (DNS rebinding) covers `/admin` as it covers `/mcp`.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** The path goes on the wire as written (fetch would normalise dots and backslashes). */
function raw(origin: string, path: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const u = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: '127.0.0.1', port: u.port, path, method, setHost: false, headers: { host: u.host, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const SPELLINGS = [
  '/ADMIN/users',
  '/Admin/settings',
  '/admin/USERS',
  '/admin//users',
  '//admin/users',
  '/admin%2fusers',
  '/admin%252Fusers',
  '/admin\\users',
  '/admin/./users',
  '/admin/x/../users',
  '/admin/users/',
  '/admin/users;x',
  '/admin/users.json',
  '/admin/users%00',
  '/ADMIN',
];

describe('admin paths under other spellings', () => {
  it.each(SPELLINGS)('GET %s: 401 without a token, 404 with the ops token, never a user record', async (path) => {
    const origin = stack.server('tasks').issuer;
    const anon = await raw(origin, path);
    expect(anon.status).toBe(401);
    expect(anon.body).not.toContain('"username"');
    const authed = await raw(origin, path, 'GET', { authorization: `Bearer ${await stack.adminToken('tasks')}` });
    expect(authed.status).toBe(404);
    expect(authed.body).not.toContain('"username"');
  });

  it('POST /ADMIN/data/reset and PATCH /ADMIN/settings without a token are refused and change nothing', async () => {
    const origin = stack.server('tasks').issuer;
    const before = await stack.admin('tasks', 'GET', '/admin/settings');
    expect((await raw(origin, '/ADMIN/data/reset', 'POST')).status).toBe(401);
    const patch = await new Promise<number>((resolve, reject) => {
      const u = new URL(origin);
      const body = JSON.stringify({ jit_provisioning: !before.body.jit_provisioning });
      const req = request(
        { hostname: '127.0.0.1', port: u.port, path: '/ADMIN/settings', method: 'PATCH', headers: { 'content-type': 'application/json' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(patch).toBe(401);
    expect((await stack.admin('tasks', 'GET', '/admin/settings')).body).toEqual(before.body);
  });

  it('the exact spelling still works for the ops token', async () => {
    const r = await raw(stack.server('tasks').issuer, '/admin/users', 'GET', { authorization: `Bearer ${await stack.adminToken('tasks')}` });
    expect(r.status).toBe(200);
  });

  it('a Host or Origin naming another site is refused at /admin (DNS rebinding), as at /mcp', async () => {
    const origin = stack.server('tasks').issuer;
    const auth = { authorization: `Bearer ${await stack.adminToken('tasks')}` };
    expect((await raw(origin, '/admin/users', 'GET', { ...auth, host: 'rebind.evil.example' })).status).toBe(403);
    expect((await raw(origin, '/admin/users', 'GET', { ...auth, origin: 'http://rebind.evil.example' })).status).toBe(403);
  });
});

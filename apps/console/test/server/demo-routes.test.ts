/**
 * The scenario and scorecard routes over HTTP (no playground running): admin session required,
 * CSRF on every POST, ids validated (unknown → 404 JSON), wrong methods named, bad scorecard input
 * is a 400 naming the field, and an unreachable playground is a 502 — never a 500.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type RunningServer } from '@xaa/node-kit';
import { defaultTopology } from '@xaa/topology';
import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/app.ts';
import { DEFAULTS } from '../../src/server/config.ts';
import { SessionStore } from '../../src/server/sessions.ts';

let dir: string;
let sessions: SessionStore;
let server: RunningServer;
let base: string;
const t = defaultTopology({ basePort: 47400 });
const spa: Middleware = async (ctx) => {
  ctx.body = 'spa';
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-demo-'));
  t.dataDir = dir;
  // Nothing listens on the playground's ports: upstream calls fail fast.
  sessions = new SessionStore(join(dir, 'console.db'));
  const app = createApp({ topology: t, config: { ...DEFAULTS, upstreamTimeoutMs: 2000 }, sessions, fetchFn: fetch, log: () => {}, spa });
  server = await listen(app.callback(), 0, '127.0.0.1', 'console-demo-test');
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
  sessions?.close();
  rmSync(dir, { recursive: true, force: true });
});

function signedIn() {
  const { id, session } = sessions.create({ user: { sub: 'u-carol', username: 'carol' }, refreshToken: 'rt' }, 3600);
  return { cookie: `xaa_console_sid=${id}; xaa_console_csrf=${session.csrf}`, csrf: session.csrf };
}

const post = (path: string, s: { cookie: string; csrf?: string }, body?: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { cookie: s.cookie, 'content-type': 'application/json', ...(s.csrf ? { 'x-csrf-token': s.csrf } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });

describe('scenario routes', () => {
  it('need a signed-in admin', async () => {
    for (const path of ['/api/scenarios', '/api/scenarios/runs/AAAAAAAAAAAAAAAAAAAAAA', '/api/scorecard/targets']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'login_required' });
    }
  });

  it('list every story with its steps and narrations', async () => {
    const res = await fetch(`${base}/api/scenarios`, { headers: { cookie: signedIn().cookie } });
    const body = (await res.json()) as { scenarios: Array<{ id: string; steps: Array<{ title: string; narration: string }> }> };
    expect(body.scenarios.map((s) => s.id)).toContain('consent-vs-xaa');
    expect(body.scenarios.length).toBeGreaterThanOrEqual(7);
    expect(body.scenarios[0]?.steps[0]).toMatchObject({ title: expect.any(String), narration: expect.any(String) });
  });

  it('refuse a POST without the CSRF token', async () => {
    const s = signedIn();
    expect((await post('/api/scenarios/consent-vs-xaa/runs', { cookie: s.cookie })).status).toBe(403);
    expect((await post('/api/scenarios/runs/AAAAAAAAAAAAAAAAAAAAAA/next', { cookie: s.cookie })).status).toBe(403);
    expect((await post('/api/scorecard/as', { cookie: s.cookie }, { server: 'tasks' })).status).toBe(403);
  });

  it('answer 404 JSON for unknown or malformed scenario and run ids', async () => {
    const s = signedIn();
    for (const path of [
      '/api/scenarios/no-such-story/runs',
      '/api/scenarios/..%2Fx/runs',
      '/api/scenarios/runs/short/next',
      '/api/scenarios/runs/AAAAAAAAAAAAAAAAAAAAAA/next',
    ]) {
      const res = await post(path, s);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ error: 'not_found' });
    }
    const get = await fetch(`${base}/api/scenarios/runs/AAAAAAAAAAAAAAAAAAAAAA`, { headers: { cookie: s.cookie } });
    expect(get.status).toBe(404);
  });

  it('name the method a path takes', async () => {
    const s = signedIn();
    const res = await fetch(`${base}/api/scenarios/consent-vs-xaa/runs`, { headers: { cookie: s.cookie } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect((await post('/api/scenarios', s)).status).toBe(405);
  });

  it('an unreachable playground when a run starts is a 502 with a reason, not a 500', async () => {
    const res = await post('/api/scenarios/consent-vs-xaa/runs', signedIn());
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'upstream_unavailable' });
  });
});

describe('scorecard routes', () => {
  it('list the playground servers without secrets', async () => {
    const res = await fetch(`${base}/api/scorecard/targets`, { headers: { cookie: signedIn().cookie } });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).toContain('acme-agent-at-tasks');
    for (const c of t.clients) for (const r of Object.values(c.servers)) expect(text).not.toContain(r.client_secret);
  });

  it('answer bad input with 400 naming the field', async () => {
    const s = signedIn();
    const res = await post('/api/scorecard/as', s, { issuer: 'nope', resource: 'https://mcp.example/mcp', clientId: 'c', clientSecret: 's' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request', fields: { issuer: expect.any(String) } });
    const unknown = await post('/api/scorecard/as', s, { server: 'nope' });
    expect(unknown.status).toBe(400);
    const notJson = await fetch(`${base}/api/scorecard/as`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });

  it('an IdP that cannot issue the admin token is a 502, not a 500', async () => {
    const res = await post('/api/scorecard/as', signedIn(), { server: 'tasks' });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: 'token_unavailable' });
  });
});

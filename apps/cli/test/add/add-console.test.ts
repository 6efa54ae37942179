/**
 * The console's "Add a server" tells the running agent: after `POST /api/add-server/register` the
 * agent (`PUT /admin/agent/servers/{name}`, with the signed-in admin's token for the agent's API) knows
 * the server and the app's registration at its AS, so the Agent page connects to it and calls a tool
 * without a restart. A playground in-process (`startPlayground`), "their" MCP server as a process of
 * its own trusting the playground IdP, carol signed in to the console as a browser would. Real HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_JWT_BEARER } from '@xaa/protocol';
import { freeBasePort, type Stack, startStack } from '@xaa/testkit';
import type { Topology } from '@xaa/topology';
import { CookieJar, driveLogin } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground } from '../../src/playground.ts';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const parts = { pg: ({ dataDir, basePort }: { dataDir: string; basePort: number }) => startPlayground({ dataDir, basePort, quiet: true }) };
let stack: Stack<typeof parts>;
let t: Topology;
let their: ChildProcess | undefined;
let theirData = '';
let theirs = '';
const jar = new CookieJar();

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, asserted field by field
type Json = any;

async function opsToken(resource: string): Promise<string> {
  const r = await fetch(`${t.idp.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${t.ops.client_id}:${t.ops.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: GRANT_TYPE_CLIENT_CREDENTIALS, resource, scope: 'xaa:admin' }),
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

/** A console API call as carol's browser: session cookie, CSRF header from its cookie. */
async function consoleApi(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const cookies = jar.header(t.console.url);
  const csrf = /xaa_console_csrf=([^;]+)/.exec(cookies)?.[1] ?? '';
  const res = await fetch(`${t.console.url}${path}`, {
    method,
    headers: { cookie: cookies, 'x-csrf-token': csrf, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: await res.json() };
}

async function registerAtTheirAs(): Promise<{ client_id: string; client_secret: string }> {
  const r = await fetch(`${new URL(theirs).origin}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'Acme Agent (XAA)',
      grant_types: [GRANT_TYPE_JWT_BEARER],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    }),
  });
  expect(r.status).toBe(201);
  return (await r.json()) as { client_id: string; client_secret: string };
}

beforeAll(async () => {
  stack = await startStack({ tmpPrefix: 'xaa-add-console-', parts });
  t = stack.pg.topology;
  let theirBase = await freeBasePort();
  while (Math.abs(theirBase - stack.basePort) <= 400) theirBase = await freeBasePort();
  theirData = mkdtempSync(join(tmpdir(), 'xaa-add-console-their-'));
  their = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'apps', 'mcp-server', 'src', 'main.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XAA_DATA_DIR: theirData, XAA_BASE_PORT: String(theirBase), XAA_SERVERS: 'tasks', XAA_TRUSTED_ISSUER: t.idp.issuer },
  });
  theirs = `http://localhost:${theirBase + 101}/mcp`;
  const started = new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`their server did not start: ${out}`)), 60_000);
    const on = (d: Buffer) => {
      out += d;
      if (/Tasks\s+http/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    their?.stdout?.on('data', on);
    their?.stderr?.on('data', on);
    their?.on('close', (code) => reject(new Error(`their server exited (${code}): ${out}`)));
  });
  // carol signs in to the console (cookies, the IdP's login form, the callback).
  const start = await fetch(`${t.console.url}/auth/login`, { redirect: 'manual' });
  jar.store(t.console.url, start);
  const callback = await driveLogin(start.headers.get('location') as string, {
    username: 'carol',
    password: 'demo',
    redirectUri: `${t.console.url}/auth/callback`,
    jar,
  });
  jar.store(t.console.url, await fetch(callback, { redirect: 'manual', headers: { cookie: jar.header(t.console.url) } }));
  await started;
}, 120_000);

afterAll(async () => {
  const child = their;
  if (child && child.exitCode === null && child.signalCode === null) {
    const closed = new Promise((r) => child.on('close', r));
    child.kill('SIGINT');
    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
  }
  await stack?.close();
  if (theirData) rmSync(theirData, { recursive: true, force: true });
}, 30_000);

describe('POST /api/add-server/register tells the running agent', () => {
  it('an app the agent has no configuration for: registered at the IdP, the agent refusal reported with what to do', async () => {
    const idpToken = await opsToken(t.idp.admin);
    const app = await fetch(`${t.idp.admin}/apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${idpToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'their-agent', title: 'Their Agent', redirect_uris: ['http://127.0.0.1:8976/callback'] }),
    });
    expect(app.status).toBe(201);
    const r = await consoleApi('POST', '/api/add-server/register', { url: theirs, app: 'their-agent' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.added.server.created).toBe(true);
    expect(r.body.added.agent).toMatchObject({ ok: false, error: 'invalid_request' });
    expect(r.body.added.agent.error_description).toMatch(/registered at the IdP/);
  });

  it('the agent learns the server and the registration; through the console it connects and calls a tool, no restart', async () => {
    const reg = await registerAtTheirAs();
    const r = await consoleApi('POST', '/api/add-server/register', { url: theirs, clientId: reg.client_id, clientSecret: reg.client_secret });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const name = r.body.added.server.name as string;
    expect(r.body.added.agent).toEqual({ ok: true, server: name });

    const status = await consoleApi('GET', '/api/agent/agent/status');
    expect(status.body.servers.find((s: { name: string }) => s.name === name)).toMatchObject({
      resource: theirs,
      issuer: new URL(theirs).origin,
      added: true,
      registrations: [{ app: 'acme-agent', client_id: reg.client_id }],
    });
    expect(JSON.stringify(status.body)).not.toContain(reg.client_secret);

    expect((await consoleApi('POST', '/api/agent/agent/login', { user: 'alice', app: 'acme-agent', headless: true, password: 'demo' })).body.outcome).toBe(
      'ok',
    );
    const connect = await consoleApi('POST', '/api/agent/agent/connect', { servers: [name] });
    expect(connect.body.outcome, JSON.stringify(connect.body.servers)).toBe('ok');
    expect(connect.body.servers[0]).toMatchObject({ server: name, status: 'connected', mode: 'xaa' });
    const call = await consoleApi('POST', '/api/agent/agent/call', { server: name, tool: 'list_tasks', args: {} });
    expect(call.body.outcome, JSON.stringify(call.body.error)).toBe('ok');
  }, 60_000);
});

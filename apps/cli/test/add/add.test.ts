/**
 * `xaa add-server` and `xaa add-client` as a developer runs them: a running playground (`xaa start`
 * in a child process), and "their" MCP server — the sample mcp-server started as a process of its
 * own on other ports, with its own data directory, trusting the playground IdP — plus a server
 * without RFC 9728 metadata and a URL nobody listens on. Real HTTP everywhere.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRANT_TYPE_JWT_BEARER } from '@xaa/protocol';
import { freeBasePort } from '@xaa/testkit';
import { ssoLogin } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const main = join(root, 'apps', 'cli', 'src', 'main.ts');
const dirs: string[] = [];
const children: ChildProcess[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'xaa-add-'));
  dirs.push(d);
  return d;
};

let dataDir: string;
let base: number;
let theirs: string;
let noPrm: Server;
let noPrmUrl: string;

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no ${pattern} in 90 s: ${buf}`)), 90_000);
    const on = (d: Buffer) => {
      buf += d;
      if (pattern.test(buf)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.on('close', (code) => reject(new Error(`${what} exited (${code}): ${buf}`)));
  });
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON output, asserted field by field
type Json = any;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json: Record<string, Json>;
}

function xaa(args: string[], options: { dataDir?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(tsx, [main, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', XAA_DATA_DIR: options.dataDir ?? dataDir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: Record<string, Json> = {};
      try {
        json = JSON.parse(stdout);
      } catch {
        // human output
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

async function opsToken(): Promise<string> {
  const m = JSON.parse(readFileSync(join(dataDir, 'playground.json'), 'utf8'));
  const r = await fetch(`${m.idp.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${m.ops.client_id}:${m.ops.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: m.idp.admin, scope: 'xaa:admin' }),
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

async function idpAdmin(path: string): Promise<Json> {
  const r = await fetch(`http://localhost:${base}/admin${path}`, { headers: { authorization: `Bearer ${await opsToken()}` } });
  return r.json();
}

/** "Their" developer registers a client at their own AS (RFC 7591), as they would in their AS's console. */
async function registerAtTheirAs(): Promise<{ client_id: string; client_secret: string }> {
  const issuer = new URL(theirs).origin;
  const r = await fetch(`${issuer}/register`, {
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
  dataDir = tmp();
  base = await freeBasePort();
  const playground = spawn(tsx, [main, 'start', '--data-dir', dataDir, '--port', String(base), '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  children.push(playground);
  let theirBase = await freeBasePort();
  // Their block must not overlap the playground's, which may not be listening yet.
  while (Math.abs(theirBase - base) <= 400) theirBase = await freeBasePort();
  const their = spawn(tsx, [join(root, 'apps', 'mcp-server', 'src', 'main.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      XAA_DATA_DIR: tmp(),
      XAA_BASE_PORT: String(theirBase),
      XAA_SERVERS: 'tasks',
      XAA_TRUSTED_ISSUER: `http://localhost:${base}`,
    },
  });
  children.push(their);
  theirs = `http://localhost:${theirBase + 101}/mcp`;
  noPrm = createServer((req, res) => {
    // A protected endpoint that names no metadata, and no metadata at the well-known URL.
    if (req.url?.startsWith('/.well-known/')) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    else res.writeHead(401, { 'www-authenticate': 'Bearer realm="theirs"', 'content-type': 'text/plain' }).end('unauthorized');
  });
  await new Promise<void>((r) => noPrm.listen(0, '127.0.0.1', r));
  noPrmUrl = `http://127.0.0.1:${(noPrm.address() as AddressInfo).port}/mcp`;
  await Promise.all([waitFor(playground, /"ready":true/, 'xaa start'), waitFor(their, /Tasks\s+http/, 'their server')]);
}, 120_000);

afterAll(async () => {
  await new Promise((r) => noPrm?.close(r));
  await Promise.all(
    children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve(undefined);
          c.on('close', resolve);
          c.kill('SIGINT');
          setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}, 30_000);

describe('xaa add-server: failures say what to change and where', () => {
  it('an unreachable URL: exit 1, the step that failed and what to check', async () => {
    const r = await xaa(['add-server', 'http://127.0.0.1:9/mcp', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    const f = r.json.discovery.findings[0];
    expect(f).toMatchObject({ id: 'mcp.challenge', status: 'missing' });
    expect(f.detail).toMatch(/did not answer/);
    expect(f.fix).toMatch(/server is running/);
  });

  it('no RFC 9728 metadata: exit 1, the well-known URL to serve it at (RFC 9728 §3)', async () => {
    const r = await xaa(['add-server', noPrmUrl, '--json']);
    expect(r.code).toBe(1);
    const ids = Object.fromEntries(r.json.discovery.findings.map((f: { id: string; status: string }) => [f.id, f]));
    expect(ids['mcp.challenge'].status).toBe('warn');
    expect(ids.prm.status).toBe('missing');
    expect(ids.prm.fix).toContain(`${new URL(noPrmUrl).origin}/.well-known/oauth-protected-resource/mcp`);
    expect(ids.prm.specRef).toMatch(/RFC 9728/);
  });

  it('an AS without the jwt-bearer grant (the classic-only Wiki): exit 1, nothing registered', async () => {
    const r = await xaa(['add-server', `http://localhost:${base + 104}/mcp`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ jwt-bearer grant/);
    expect(r.stdout).toContain(`list "${GRANT_TYPE_JWT_BEARER}" in grant_types_supported`);
    expect(r.stdout).toMatch(/✗ ID-JAG grant profile/);
    expect(r.stderr).toMatch(/cannot be registered until/);
    const servers = (await idpAdmin('/servers')).servers as Array<{ name: string }>;
    expect(servers.map((s) => s.name).sort()).toEqual(['crm', 'docs', 'tasks', 'wiki']);
  });

  it('not a URL: usage, exit 2', async () => {
    const r = await xaa(['add-server', 'not a url']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an http\(s\) URL/);
  });

  it('an unknown app: exit 1, the apps there are', async () => {
    const r = await xaa(['add-server', theirs, '--app', 'no-such-app', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('ERR_UNKNOWN_APP');
    expect(r.json.error.fix).toMatch(/acme-agent/);
  });

  it('no playground running: exit 1 and how to start it', async () => {
    const r = await xaa(['add-server', theirs], { dataDir: tmp() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/start the playground first/);
  });
});

describe('xaa add-server: their server, end to end', () => {
  it('registers it, maps the app, connects it, and prints the values for their AS (secret proposed)', async () => {
    const r = await xaa(['add-server', theirs, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const { added } = r.json;
    expect(added.server).toMatchObject({ issuer: new URL(theirs).origin, resource: theirs, scopes: ['tasks.read', 'tasks.write'], created: true });
    expect(added.configure).toMatchObject({ trusted_issuer: `http://localhost:${base}`, jwks_uri: `http://localhost:${base}/jwks` });
    expect(added.configure.client).toMatchObject({ client_id: `acme-agent-at-${added.server.name}`, secret_generated: true });
    expect(r.json.scorecard).toBeNull();
    expect(r.json.next).toMatch(/--client-secret/);
    // The running agent was told too (PUT /admin/agent/servers/{name}): the console's Agent page reaches it.
    expect(r.json.agent).toEqual({ ok: true });
    const app = await idpAdmin('/apps/acme-agent');
    expect(app.registrations[added.server.name]).toBe(added.configure.client.client_id);
    const conns = (await idpAdmin(`/connections?client_id=acme-agent&server=${added.server.name}`)).connections;
    expect(conns).toHaveLength(1);
    expect(conns[0]).toMatchObject({ scopes: ['tasks.read', 'tasks.write'], enabled: true });
  });

  it('with the client registered at their AS: the scorecard passes, trust confirmed, a second run changes nothing, the sample agent connects', async () => {
    const reg = await registerAtTheirAs();
    const r = await xaa(['add-server', theirs, '--client-id', reg.client_id, '--client-secret', reg.client_secret, '--json']);
    expect(r.code, r.stdout.slice(-3000)).toBe(0);
    expect(r.json.added.server.created).toBe(false);
    expect(r.json.trust).toMatchObject({ id: 'as.trust', status: 'ok' });
    expect(r.json.scorecard.ok).toBe(true);
    const app = await idpAdmin('/apps/acme-agent');
    expect(app.registrations[r.json.added.server.name]).toBe(reg.client_id);
    const servers = (await idpAdmin('/servers')).servers as Array<{ issuer: string }>;
    expect(servers.filter((s) => s.issuer === new URL(theirs).origin)).toHaveLength(1);

    // playground.json lists it now, so the sample agent connects to it like to a seeded server.
    const name = r.json.added.server.name as string;
    const manifest = JSON.parse(readFileSync(join(dataDir, 'playground.json'), 'utf8'));
    expect(manifest.servers.find((s: { name: string }) => s.name === name)).toMatchObject({ resource: theirs, added: true });
    expect((await xaa(['login', '--app', 'acme-agent', '--user', 'alice', '--headless'])).code).toBe(0);
    const connect = await xaa(['connect', name]);
    expect(connect.code, connect.stdout + connect.stderr).toBe(0);
    expect(connect.stdout).toMatch(/connected with XAA \(no consent screen\)/);
    const call = await xaa(['call', name, 'list_tasks']);
    expect(call.code, call.stdout + call.stderr).toBe(0);
  }, 120_000);

  it('a secret their AS does not know: exit 1, "register the client" at their AS', async () => {
    const r = await xaa(['add-server', theirs, '--client-id', 'acme-agent-at-nowhere', '--client-secret', 'wrong']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ trusts the playground IdP's keys: your AS refused the client/);
    expect(r.stdout).toMatch(/fix: At your AS: register the client acme-agent-at-nowhere/);
  }, 90_000);

  it('a secret that begins with a dash (one base64url secret in 64) is read as the secret, not refused as usage', async () => {
    const r = await xaa(['add-server', theirs, '--client-id', 'acme-agent-at-nowhere', '--client-secret', '-Xq3_kd8wrong']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/fix: At your AS: register the client acme-agent-at-nowhere/);
  }, 90_000);
});

describe('xaa add-client', () => {
  it('registers a client at the IdP and prints what it needs; it can sign in with code + PKCE', async () => {
    const r = await xaa(['add-client', '--title', 'My Agent', '--client-id', 'my-agent', '--redirect-uri', 'http://127.0.0.1:8976/callback', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = r.json.client;
    expect(c).toMatchObject({ client_id: 'my-agent', token_endpoint_auth_method: 'client_secret_basic', redirect_uris: ['http://127.0.0.1:8976/callback'] });
    expect(c.client_secret).toEqual(expect.any(String));
    expect(c.idp.issuer).toBe(`http://localhost:${base}`);
    expect(c.token_exchange.requested_token_type).toBe('urn:ietf:params:oauth:token-type:id-jag');
    expect(c.servers.map((s: { name: string }) => s.name)).toContain('tasks');
    const sso = await ssoLogin({
      issuer: c.idp.issuer,
      clientId: c.client_id,
      clientSecret: c.client_secret,
      redirectUri: c.redirect_uris[0],
      username: 'alice',
      password: 'demo',
    });
    expect(sso.tokens.id_token).toEqual(expect.any(String));
  });

  it('human output names the values and the next steps', async () => {
    const r = await xaa(['add-client', '--title', 'Public Agent', '--redirect-uri', 'http://127.0.0.1:8977/cb', '--public']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/client_secret\s+none: a public client/);
    expect(r.stdout).toMatch(/grant_type=urn:ietf:params:oauth:grant-type:token-exchange/);
  });

  it('a taken client id: exit 1 and what to do', async () => {
    const r = await xaa(['add-client', '--title', 'Again', '--client-id', 'my-agent', '--redirect-uri', 'http://127.0.0.1:8976/callback', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('ERR_CLIENT_TAKEN');
  });

  it('a redirect URI the IdP refuses: exit 1 with the field', async () => {
    const r = await xaa(['add-client', '--title', 'Bad', '--redirect-uri', 'javascript:alert(1)', '--json']);
    expect(r.code).toBe(1);
    expect(r.json.error.code).toBe('ERR_IDP_REFUSED');
    expect(r.json.error.fix).toMatch(/redirect_uris/);
  });

  it('no title or no redirect URI: usage, exit 2', async () => {
    expect((await xaa(['add-client', '--redirect-uri', 'http://127.0.0.1:1/cb'])).code).toBe(2);
    expect((await xaa(['add-client', '--title', 'X'])).code).toBe(2);
  });
});

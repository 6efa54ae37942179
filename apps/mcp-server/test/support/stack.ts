/**
 * Test support: the real IdP (`@xaa/idp` start()) and the sample servers on free loopback ports with
 * a temp data directory, plus the protocol calls tests make — headless SSO at the IdP, token
 * exchange for an ID-JAG, the jwt-bearer grant at a server's AS, MCP calls, admin-API tokens.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningIdp, start as startIdp } from '@xaa/idp';
import { GRANT_TYPE_JWT_BEARER, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { defaultTopology, type Topology } from '@xaa/topology';
import { ssoLogin } from '@xaa/user-agent';
import { type RunningMcpServers, start } from '../../src/index.ts';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port whose IdP (+0) and server (+101…+104) ports are all free on loopback. */
export async function freeBasePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = 20_000 + Math.floor(Math.random() * 38_000);
    const ports = [base, base + 101, base + 102, base + 103, base + 104];
    if ((await Promise.all(ports.map(portFree))).every(Boolean)) return base;
  }
  throw new Error('no free port range found');
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are asserted field by field in tests
  body: any;
}

async function asJson(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

export function form(url: string, params: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.append(k, v);
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }).then(asJson);
}

export const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});

export interface Stack {
  topology: Topology;
  dataDir: string;
  idp: RunningIdp | undefined;
  mcp: RunningMcpServers;
  server(name: string): Topology['servers'][number];
  /** The seeded registration of `client` at `server`'s AS. */
  registration(client: string, server: string): { client_id: string; client_secret: string };
  /** Headless SSO at the IdP; returns the ID token. */
  idToken(username: string, client?: string): Promise<string>;
  /** RFC 8693 exchange at the IdP for an ID-JAG for `server`. */
  idJag(idToken: string, server: string, options?: { client?: string; scope?: string }): Promise<string>;
  /** RFC 7523 jwt-bearer at `server`'s AS. */
  redeem(
    server: string,
    assertion: string,
    options?: { client?: string; auth?: Record<string, string>; extra?: Record<string, string> },
  ): Promise<JsonResponse>;
  /** The whole XAA path: SSO → ID-JAG → access token. */
  accessToken(username: string, server: string, options?: { client?: string; scope?: string }): Promise<string>;
  /** An admin-API token for `server`'s origin, from the IdP's ops client. */
  adminToken(server: string): Promise<string>;
  admin(server: string, method: string, path: string, body?: unknown, token?: string): Promise<JsonResponse>;
  /** Restart the sample servers on the same data directory. */
  restartServers(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(options: { idp?: boolean } = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'xaa-mcp-test-'));
  const topology = defaultTopology({ dataDir, basePort: await freeBasePort() });
  const idp = options.idp === false ? undefined : await startIdp({ topology, dataDir, port: topology.idp.port, quiet: true });
  let mcp = await start({ topology, dataDir, quiet: true });
  const server = (name: string) => {
    const s = topology.servers.find((x) => x.name === name);
    if (!s) throw new Error(`no server ${name}`);
    return s;
  };
  const registration = (client: string, name: string) => {
    const reg = topology.clients.find((c) => c.name === client)?.servers[name];
    if (!reg) throw new Error(`no registration ${client} at ${name}`);
    return reg;
  };
  const adminTokens = new Map<string, { token: string; exp: number }>();
  const stack: Stack = {
    topology,
    dataDir,
    idp,
    get mcp() {
      return mcp;
    },
    server,
    registration,
    async idToken(username, client = 'acme-agent') {
      const c = topology.clients.find((x) => x.name === client);
      if (!c) throw new Error(`no client ${client}`);
      const r = await ssoLogin({
        issuer: topology.idp.issuer,
        clientId: c.idp.client_id,
        clientSecret: c.idp.client_secret,
        redirectUri: c.idp.redirect_uris[0] as string,
        username,
        password: 'demo',
      });
      return r.tokens.id_token;
    },
    async idJag(idToken, name, opts = {}) {
      const c = topology.clients.find((x) => x.name === (opts.client ?? 'acme-agent'));
      if (!c) throw new Error('no client');
      const s = server(name);
      const r = await form(
        `${topology.idp.issuer}/token`,
        {
          grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
          requested_token_type: TOKEN_TYPE_ID_JAG,
          audience: s.issuer,
          resource: s.resource,
          scope: opts.scope ?? s.scopes.join(' '),
          subject_token: idToken,
          subject_token_type: TOKEN_TYPE_ID_TOKEN,
        },
        basic(c.idp.client_id, c.idp.client_secret),
      );
      if (r.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(r.body)}`);
      return r.body.access_token as string;
    },
    redeem(name, assertion, opts = {}) {
      const reg = registration(opts.client ?? 'acme-agent', name);
      return form(
        `${server(name).issuer}/token`,
        { grant_type: GRANT_TYPE_JWT_BEARER, assertion, ...opts.extra },
        opts.auth ?? basic(reg.client_id, reg.client_secret),
      );
    },
    async accessToken(username, name, opts = {}) {
      const jag = await stack.idJag(await stack.idToken(username, opts.client), name, opts);
      const r = await stack.redeem(name, jag, opts.client ? { client: opts.client } : {});
      if (r.status !== 200) throw new Error(`jwt-bearer failed: ${JSON.stringify(r.body)}`);
      return r.body.access_token as string;
    },
    async adminToken(name) {
      const cached = adminTokens.get(name);
      if (cached && cached.exp > Date.now() + 30_000) return cached.token;
      const r = await form(
        `${topology.idp.issuer}/token`,
        { grant_type: 'client_credentials', resource: server(name).admin, scope: 'xaa:admin' },
        basic('ops', topology.ops.client_secret),
      );
      if (r.status !== 200) throw new Error(`ops token failed: ${JSON.stringify(r.body)}`);
      adminTokens.set(name, { token: r.body.access_token, exp: Date.now() + r.body.expires_in * 1000 });
      return r.body.access_token as string;
    },
    async admin(name, method, path, body, token) {
      const res = await fetch(`${server(name).issuer}${path}`, {
        method,
        headers: {
          ...(token === '' ? {} : { authorization: `Bearer ${token ?? (await stack.adminToken(name))}` }),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      return asJson(res);
    },
    async restartServers() {
      await mcp.close();
      // Let the client's connection pool see the closed sockets before the next request.
      await new Promise((r) => setTimeout(r, 100));
      mcp = await start({ topology, dataDir, quiet: true });
    },
    async close() {
      await mcp.close();
      await idp?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

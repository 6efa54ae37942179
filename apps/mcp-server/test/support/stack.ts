/**
 * Test support: the real IdP (`@xaa/idp` start()) and the sample servers on free loopback ports with
 * a temp data directory, plus the protocol calls tests make — headless SSO at the IdP, token
 * exchange for an ID-JAG, the jwt-bearer grant at a server's AS, MCP calls, admin-API tokens.
 */
import { type RunningIdp, start as startIdp } from '@xaa/idp';
import { GRANT_TYPE_JWT_BEARER, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { type JsonAnswer, readJson, startStack as startParts } from '@xaa/testkit';
import type { Topology } from '@xaa/topology';
import { ssoLogin } from '@xaa/user-agent';
import { type RunningMcpServers, start } from '../../src/index.ts';

export type JsonResponse = JsonAnswer;

export function form(url: string, params: Record<string, string | undefined>, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) body.append(k, v);
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }).then(readJson);
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
  let mcp: RunningMcpServers;
  const running = await startParts({
    tmpPrefix: 'xaa-mcp-test-',
    parts: {
      idp: ({ topology, dataDir }): Promise<RunningIdp | { close(): Promise<void> }> =>
        options.idp === false ? Promise.resolve({ close: async () => {} }) : startIdp({ topology, dataDir, quiet: true }),
      mcp: async ({ topology, dataDir }) => {
        mcp = await start({ topology, dataDir, quiet: true });
        // Closes whichever servers run now (restartServers replaces them).
        return { close: () => mcp.close() };
      },
    },
  });
  const { topology, dataDir } = running;
  const idp = options.idp === false ? undefined : (running.idp as RunningIdp);
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
    adminToken: (name) => running.opsToken(server(name).admin),
    admin: (name, method, path, body, token) => running.admin(`${server(name).issuer}${path}`, { method, body, ...(token === undefined ? {} : { token }) }),
    async restartServers() {
      await mcp.close();
      // Let the client's connection pool see the closed sockets before the next request.
      await new Promise((r) => setTimeout(r, 100));
      mcp = await start({ topology, dataDir, quiet: true });
    },
    close: () => running.close(),
  };
  return stack;
}

/**
 * Real tokens and facts from a running playground, obtained once before a harness runs: a user's SSO
 * tokens, an ID-JAG and an access token per XAA server, a read-only tool per server, admin tokens for
 * every admin API, and a signed-in console session.
 */
import type { FuzzTokens } from './fuzz/endpoints.ts';
import { json } from './http.ts';
import { appLogin, ssoLogin } from './sso.ts';
import type { Manifest } from './stack.ts';
import { asMetadata, idpTokenEndpoint, jsonRpcResult, jwtBearer, MCP_PROTOCOL_VERSION, mcpPost, opsAccessToken, tokenExchange } from './xaa.ts';

export interface Tool {
  name: string;
  args: unknown;
}

interface ToolInfo {
  name: string;
  inputSchema?: { required?: string[]; properties?: Record<string, { type?: string; enum?: unknown[] }> };
  annotations?: { readOnlyHint?: boolean };
}

function argsFor(t: ToolInfo): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const name of t.inputSchema?.required ?? []) {
    const p = t.inputSchema?.properties?.[name];
    args[name] = p?.enum?.[0] ?? (p?.type === 'number' || p?.type === 'integer' ? 1 : p?.type === 'boolean' ? false : 'harness');
  }
  return args;
}

/** A read-only tool of the server, preferring one without required arguments. */
export async function pickTool(resource: string, accessToken: string): Promise<Tool> {
  const init = await mcpPost(resource, accessToken, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: MCP_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'xaa-harness', version: '0' } },
  });
  if (init.status !== 200) throw new Error(`MCP initialize at ${resource}: ${init.status} ${init.body.slice(0, 200)}`);
  const sessionId = init.headers['mcp-session-id'] as string | undefined;
  const o = sessionId ? { sessionId } : {};
  await mcpPost(resource, accessToken, { jsonrpc: '2.0', method: 'notifications/initialized' }, o);
  const list = await mcpPost(resource, accessToken, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, o);
  const tools = ((jsonRpcResult(list)?.result as { tools?: ToolInfo[] })?.tools ?? []).slice();
  if (!tools.length) throw new Error(`no tools at ${resource}: ${list.status} ${list.body.slice(0, 200)}`);
  const score = (t: ToolInfo) =>
    (t.annotations?.readOnlyHint ? 0 : 4) + (/list|search|get|read|whoami/i.test(t.name) ? 0 : 2) + ((t.inputSchema?.required?.length ?? 0) > 0 ? 1 : 0);
  tools.sort((a, b) => score(a) - score(b));
  const best = tools[0] as ToolInfo;
  return { name: best.name, args: argsFor(best) };
}

export interface FlowTokens {
  idJag: string;
  accessToken: string;
}

/** Exchange and redeem once: an ID-JAG and an access token for `server`. */
export async function flowTokens(m: Manifest, idToken: string, serverName: string, clientName = 'acme-agent'): Promise<FlowTokens> {
  const client = m.clients.find((c) => c.name === clientName);
  const server = m.servers.find((s) => s.name === serverName);
  if (!client || !server) throw new Error(`unknown client ${clientName} or server ${serverName}`);
  const ex = await tokenExchange(await idpTokenEndpoint(m.idp.issuer), client, idToken, server, undefined);
  if (ex.status !== 200) throw new Error(`token exchange for ${serverName}: ${ex.status} ${ex.body.slice(0, 200)}`);
  const idJag = json<{ access_token: string }>(ex).access_token;
  const jb = await jwtBearer((await asMetadata(server.issuer)).token_endpoint, client, server, idJag);
  if (jb.status !== 200) throw new Error(`jwt-bearer at ${serverName}: ${jb.status} ${jb.body.slice(0, 200)}`);
  return { idJag, accessToken: json<{ access_token: string }>(jb).access_token };
}

export function ssoClient(m: Manifest, clientName = 'acme-agent') {
  const c = m.clients.find((x) => x.name === clientName);
  if (!c) throw new Error(`unknown client ${clientName}`);
  return { client_id: c.idp.client_id, client_secret: c.idp.client_secret, redirect_uri: c.idp.redirect_uris[0] as string };
}

export function user(m: Manifest, username: string) {
  const u = m.users.find((x) => x.username === username);
  if (!u) throw new Error(`unknown user ${username}`);
  return u;
}

export async function consoleSession(m: Manifest): Promise<{ cookie: string; csrf: string }> {
  const admin = m.users.find((u) => u.admin);
  if (!admin) throw new Error('no admin user');
  const ua = await appLogin(`${m.console.url}/auth/login`, `${m.console.url}/auth/callback`, admin.username, admin.password);
  const cookie = await ua.jar.cookies.getCookieString(`${m.console.url}/api/`);
  const csrf = (await ua.jar.cookies.getCookies(m.console.url)).find((c) => /csrf/i.test(c.key))?.value ?? '';
  return { cookie, csrf };
}

/** Everything the fuzz harness needs, from a fresh playground. */
export async function fuzzTokens(m: Manifest): Promise<FuzzTokens> {
  const alice = user(m, 'alice');
  const sso = await ssoLogin(m.idp.issuer, ssoClient(m), alice.username, alice.password);
  const idJags: Record<string, string> = {};
  const accessTokens: Record<string, string> = {};
  const tools: Record<string, Tool> = {};
  const client = m.clients.find((c) => c.name === 'acme-agent');
  for (const name of ['tasks', 'docs']) {
    const server = m.servers.find((x) => x.name === name);
    if (!server || !client) throw new Error(`the seeded ${name} server and acme-agent are required`);
    const f = await flowTokens(m, sso.id_token, name);
    tools[name] = await pickTool(server.resource, f.accessToken);
    accessTokens[name] = f.accessToken;
    // An ID-JAG not yet redeemed, so the first template requests can succeed.
    const ex = await tokenExchange(await idpTokenEndpoint(m.idp.issuer), client, sso.id_token, server, undefined);
    idJags[name] = ex.status === 200 ? json<{ access_token: string }>(ex).access_token : f.idJag;
  }
  const admin: Record<string, string> = {};
  for (const base of [m.idp.admin, ...m.servers.map((s) => s.admin), `${m.agent.url}/admin`]) admin[base] = await opsAccessToken(m, base);
  return { idToken: sso.id_token, userAccessToken: sso.access_token, idJags, accessTokens, admin, console: await consoleSession(m), tools };
}

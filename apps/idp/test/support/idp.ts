/**
 * Test support: an IdP on a free loopback port with a temp data directory, plus helpers for the
 * protocol calls tests make (headless SSO from @xaa/user-agent, token exchange, admin tokens).
 */
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { readJson, startStack } from '@xaa/testkit';
import type { Topology } from '@xaa/topology';
import { clientAuthentication, ssoLogin } from '@xaa/user-agent';
import { type RunningIdp, start } from '../../src/index.ts';

export interface TestIdp {
  idp: RunningIdp;
  topology: Topology;
  dataDir: string;
  /** Headless SSO for a seeded app; returns the token response. */
  login(username: string, client?: string, options?: { scope?: string }): Promise<{ id_token: string; refresh_token?: string; access_token: string }>;
  /** POST /token with a form body; returns status, headers and JSON. */
  token(
    form: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  /** Token exchange for an ID-JAG with a seeded app's credentials (Basic). */
  exchange(
    client: string,
    params: Record<string, string | string[] | undefined>,
    auth?: 'basic' | 'post' | 'none' | { secret: string },
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  /** An admin-API access token from the ops client (client_credentials). */
  opsToken(resource?: string): Promise<string>;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are asserted field by field in tests
  admin(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export function clientOf(topology: Topology, name: string) {
  const c = topology.clients.find((x) => x.name === name);
  if (!c) throw new Error(`no client ${name}`);
  return c;
}

export function serverOf(topology: Topology, name: string) {
  const s = topology.servers.find((x) => x.name === name);
  if (!s) throw new Error(`no server ${name}`);
  return s;
}

export async function startTestIdp(options: { dataDir?: string; signingAlg?: 'ES256' | 'RS256'; now?: () => number } = {}): Promise<TestIdp> {
  const stack = await startStack({
    tmpPrefix: 'xaa-idp-test-',
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    secrets: {
      'idp:acme-agent': 'agent-secret',
      'idp:acme-chat': 'chat-secret',
      'idp:shadow-agent': 'shadow-secret',
      'idp:ops': 'ops-secret',
      'idp:xaa-console': 'console-secret',
    },
    parts: {
      idp: ({ topology, dataDir }) =>
        start({
          topology,
          dataDir,
          quiet: true,
          ...(options.signingAlg ? { signingAlg: options.signingAlg } : {}),
          ...(options.now ? { now: options.now } : {}),
        }),
    },
  });
  const { idp, topology, dataDir } = stack;

  const token: TestIdp['token'] = async (form, headers = {}) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await fetch(`${idp.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    const answer = await readJson(res);
    return { ...answer, body: typeof answer.body === 'object' && answer.body ? answer.body : { raw: answer.body ?? '' } };
  };

  return {
    idp,
    topology,
    dataDir,
    async login(username, client = 'acme-agent', opts = {}) {
      const c = clientOf(topology, client);
      const result = await ssoLogin({
        issuer: idp.issuer,
        clientId: c.idp.client_id,
        clientSecret: c.idp.client_secret,
        redirectUri: c.idp.redirect_uris[0] as string,
        username,
        password: 'demo',
        ...(opts.scope ? { scope: opts.scope } : {}),
      });
      return result.tokens;
    },
    token,
    async exchange(client, params, auth = 'basic') {
      const c = topology.clients.find((x) => x.name === client);
      const clientId = c?.idp.client_id ?? client;
      const secret = typeof auth === 'object' ? auth.secret : (c?.idp.client_secret ?? '');
      const ca =
        auth === 'none'
          ? { headers: {}, body: { client_id: clientId } }
          : clientAuthentication({ clientId, clientSecret: secret, clientAuth: auth === 'post' ? 'client_secret_post' : 'client_secret_basic' });
      const form: Record<string, string | string[]> = {
        grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
        requested_token_type: TOKEN_TYPE_ID_JAG,
        subject_token_type: TOKEN_TYPE_ID_TOKEN,
        ...ca.body,
      };
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined) delete form[k];
        else form[k] = v;
      }
      return token(form, ca.headers);
    },
    opsToken: (resource = idp.admin) => stack.opsToken(resource),
    admin: (method, path, body, tok) => stack.admin(`${idp.issuer}${path}`, { method, body, ...(tok === undefined ? {} : { token: tok }) }),
    close: () => stack.close(),
  };
}

/** Flow events of one step recorded since `after` (exclusive). */
export function eventsSince(idp: RunningIdp, mark: string | undefined, step?: string) {
  return idp.flowLog.recent({ ...(mark ? { after: mark } : {}), limit: 2000 }).filter((e) => !step || e.step === step);
}

export function lastEventId(idp: RunningIdp): string | undefined {
  return idp.flowLog.recent({ limit: 1 })[0]?.id;
}

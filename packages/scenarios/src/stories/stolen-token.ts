/**
 * "Stolen token" (RFC 9449): the same copied access token, replayed from another process. A bearer
 * token works for whoever holds it (RFC 6750 §5); a DPoP-bound one (`cnf.jkt`) needs a fresh proof
 * signed by the key it is bound to, so the thief's copy is refused — as Bearer (RFC 9449 §7.2) and with
 * a proof by the thief's own key (§4.3 step 12). Both tokens come from the real flow: token exchange at
 * the IdP (with a DPoP proof for the bound one, draft-04 §9.8.1.1), jwt-bearer at the Tasks AS.
 *
 * The thief is a separate Node process that receives only the copied tokens — never the key — and
 * makes its own proofs with WebCrypto.
 */
import { execFile } from 'node:child_process';
import { accessTokenHash, decodeUnverified, GRANT_TYPE_JWT_BEARER, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { ssoLogin } from '@xaa/user-agent';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { PlaygroundClient } from '../playground-client.ts';
import type { Scenario } from '../scenario.ts';
import { enableUser, restoreConnection } from '../seed.ts';

const basic = (id: string, secret: string) => `Basic ${btoa(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`)}`;
const MCP_HEADERS = { accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' };
const TOOL_CALL = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } };

type Key = Awaited<ReturnType<typeof generateKeyPair>> & { jwk: Awaited<ReturnType<typeof exportJWK>>; jkt: string };

async function newKey(): Promise<Key> {
  const pair = await generateKeyPair('ES256');
  const jwk = await exportJWK(pair.publicKey);
  return { ...pair, jwk, jkt: await calculateJwkThumbprint(jwk) };
}

function proof(key: Key, htm: string, htu: string, ath?: string): Promise<string> {
  return new SignJWT({ htm, htu, ...(ath ? { ath } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .sign(key.privateKey);
}

async function tokenEndpointOf(client: PlaygroundClient, issuer: string): Promise<string> {
  return (await client.request<{ token_endpoint: string }>('GET', `${issuer}/.well-known/oauth-authorization-server`)).body.token_endpoint;
}

/** Alice's access token for Tasks by the whole XAA flow; with a key, every leg carries a proof. */
async function accessToken(client: PlaygroundClient, key: Key | undefined): Promise<{ token?: string; tokenType?: string; error?: string }> {
  const app = client.app('acme-agent');
  const tasks = client.serverDef('tasks');
  const sso = await ssoLogin({
    issuer: client.manifest.idp.issuer,
    clientId: app.idp.client_id,
    clientSecret: app.idp.client_secret,
    redirectUri: app.idp.redirect_uris[0] as string,
    username: 'alice',
    password: client.manifest.users.find((u) => u.username === 'alice')?.password ?? 'demo',
    ...(client.trace ? { headers: { traceparent: `00-${client.trace.traceId}-${client.trace.spanId}-01` } } : {}),
  });
  const ex = await client.request<{ access_token?: string; error?: string; error_description?: string }>('POST', sso.tokenEndpoint, {
    auth: basic(app.idp.client_id, app.idp.client_secret),
    form: {
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      requested_token_type: TOKEN_TYPE_ID_JAG,
      audience: tasks.issuer,
      resource: tasks.resource,
      scope: 'tasks.read',
      subject_token: sso.tokens.id_token,
      subject_token_type: TOKEN_TYPE_ID_TOKEN,
    },
    ...(key ? { headers: { dpop: await proof(key, 'POST', sso.tokenEndpoint) } } : {}),
  });
  if (!ex.body.access_token) return { error: `token exchange: ${ex.body.error ?? ex.status} ${ex.body.error_description ?? ''}` };
  const reg = app.servers.tasks as { client_id: string; client_secret: string };
  const endpoint = await tokenEndpointOf(client, tasks.issuer);
  const at = await client.request<{ access_token?: string; token_type?: string; error?: string; error_description?: string }>('POST', endpoint, {
    auth: basic(reg.client_id, reg.client_secret),
    form: { grant_type: GRANT_TYPE_JWT_BEARER, assertion: ex.body.access_token },
    ...(key ? { headers: { dpop: await proof(key, 'POST', endpoint) } } : {}),
  });
  if (!at.body.access_token) return { error: `jwt-bearer: ${at.body.error ?? at.status} ${at.body.error_description ?? ''}` };
  return { token: at.body.access_token, ...(at.body.token_type ? { tokenType: at.body.token_type } : {}) };
}

/** The legitimate holder calls a tool with its token (and, when bound, a proof by its key). */
async function useToken(client: PlaygroundClient, token: string, key: Key | undefined) {
  const url = client.serverDef('tasks').resource;
  return client.request<unknown>('POST', url, {
    body: TOOL_CALL,
    headers: key
      ? { ...MCP_HEADERS, authorization: `DPoP ${token}`, dpop: await proof(key, 'POST', url, await accessTokenHash(token)) }
      : { ...MCP_HEADERS, authorization: `Bearer ${token}` },
  });
}

const cnfOf = (token: string) => (decodeUnverified(token)?.claims.cnf as { jkt?: string } | undefined)?.jkt;

export interface ReplayOutcome {
  attempt: string;
  status: number;
  /** The `error` of the WWW-Authenticate challenge, if any. */
  error?: string;
}

/**
 * The thief: another OS process, given only the copied tokens, replays them at the MCP server — the
 * bearer token as Bearer, the bound token as Bearer and then as DPoP with a proof by its own key.
 */
const THIEF = `
const input = JSON.parse(process.env.XAA_STOLEN);
const b64 = (b) => Buffer.from(b).toString('base64url');
const enc = new TextEncoder();
const call = async (authorization, dpop) => {
  const res = await fetch(input.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-11-25', traceparent: input.traceparent, authorization, ...(dpop ? { dpop } : {}) }, body: JSON.stringify(input.body) });
  await res.text();
  const www = res.headers.get('www-authenticate') || '';
  const m = /error="([^"]+)"/.exec(www);
  return { status: res.status, ...(m ? { error: m[1] } : {}) };
};
const kp = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', kp.publicKey);
const ath = b64(await crypto.subtle.digest('SHA-256', enc.encode(input.bound)));
const h = b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }));
const p = b64(JSON.stringify({ jti: crypto.randomUUID(), htm: 'POST', htu: input.url, iat: Math.floor(Date.now() / 1000), ath }));
const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, kp.privateKey, enc.encode(h + '.' + p));
const out = [
  { attempt: 'bearer', ...(await call('Bearer ' + input.bearer)) },
  { attempt: 'bound-as-bearer', ...(await call('Bearer ' + input.bound)) },
  { attempt: 'bound-with-own-proof', ...(await call('DPoP ' + input.bound, h + '.' + p + '.' + b64(sig))) },
];
process.stdout.write(JSON.stringify(out));
`;

export function replayFromAnotherProcess(input: { url: string; bearer: string; bound: string; traceparent: string }): Promise<ReplayOutcome[]> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', THIEF],
      { env: { PATH: process.env.PATH ?? '', XAA_STOLEN: JSON.stringify({ ...input, body: TOOL_CALL }) }, timeout: 20_000 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`the replaying process failed: ${stderr || err.message}`));
        try {
          resolve(JSON.parse(stdout) as ReplayOutcome[]);
        } catch {
          reject(new Error(`the replaying process said: ${stdout.slice(0, 200)}`));
        }
      },
    );
  });
}

const verdict = (r: ReplayOutcome | undefined) => (r ? (r.status === 200 ? '200 accepted' : `${r.status} ${r.error ?? 'refused'}`) : '—');

export const stolenToken: Scenario = {
  id: 'stolen-token',
  title: 'Stolen token',
  summary:
    'An access token is copied out of a log and replayed from another machine. A bearer token works for the thief; a DPoP-bound token is useless without the key it is bound to.',
  async reset(client) {
    await enableUser(client, 'alice');
    await restoreConnection(client, 'acme-agent', 'tasks');
    // The story's bearer side needs Tasks to accept bearer tokens, and its proofs carry no nonces.
    await client.server('tasks', 'PATCH', '/settings', { dpop_bound_access_tokens_required: false, use_dpop_nonce: false });
    await client.idp('PATCH', '/settings/dpop', { use_dpop_nonce: false });
  },
  steps: [
    {
      id: 'bearer',
      title: 'An agent with a bearer token',
      narration:
        'Alice’s agent gets an access token for Tasks the usual way: ID-JAG from the IdP, access token from the Tasks authorization server. It is a bearer token — bound to nothing.',
      async run({ client, state }) {
        const r = await accessToken(client, undefined);
        if (!r.token) return { ok: false, headline: r.error ?? 'no access token' };
        const use = await useToken(client, r.token, undefined);
        state.bearer = r.token;
        return {
          ok: use.status === 200 && r.tokenType === 'Bearer' && cnfOf(r.token) === undefined,
          headline: `${r.tokenType} token, no cnf: list_tasks → ${use.status}`,
          facts: [
            { label: 'token_type', value: r.tokenType ?? '—' },
            { label: 'Bound to', value: 'nothing (no cnf)', tone: 'bad' },
          ],
        };
      },
    },
    {
      id: 'dpop',
      title: 'An agent with a DPoP-bound token',
      narration:
        'A second agent holds a private key. It proves the key to the IdP (the ID-JAG gets cnf.jkt), to the Tasks authorization server (the access token gets the same cnf.jkt), and on every call to the MCP server.',
      async run({ client, state }) {
        const key = await newKey();
        const r = await accessToken(client, key);
        if (!r.token) return { ok: false, headline: r.error ?? 'no access token' };
        const use = await useToken(client, r.token, key);
        state.bound = r.token;
        state.jkt = key.jkt;
        return {
          ok: use.status === 200 && r.tokenType === 'DPoP' && cnfOf(r.token) === key.jkt,
          headline: `${r.tokenType} token bound to key ${key.jkt.slice(0, 12)}…: list_tasks with a proof → ${use.status}`,
          facts: [
            { label: 'token_type', value: r.tokenType ?? '—' },
            { label: 'cnf.jkt', value: key.jkt, tone: 'good' },
          ],
        };
      },
    },
    {
      id: 'steal',
      title: 'Both tokens copied and replayed from another process',
      narration:
        'Both access tokens leak — a log line, a proxy. A different process replays them at the Tasks MCP server. The bearer token just works. The bound one is refused: as Bearer, and with a proof signed by the thief’s own key.',
      async run({ client, state }) {
        const url = client.serverDef('tasks').resource;
        const traceparent = client.trace ? `00-${client.trace.traceId}-${client.trace.spanId}-01` : '';
        const out = await replayFromAnotherProcess({ url, bearer: state.bearer as string, bound: state.bound as string, traceparent });
        const by = (a: string) => out.find((o) => o.attempt === a);
        const bearer = by('bearer');
        const asBearer = by('bound-as-bearer');
        const ownProof = by('bound-with-own-proof');
        const ok =
          bearer?.status === 200 &&
          asBearer?.status === 401 &&
          asBearer.error === 'invalid_token' &&
          ownProof?.status === 401 &&
          ownProof.error === 'invalid_dpop_proof';
        return {
          ok,
          headline: ok ? 'The copied bearer token worked for the thief; the DPoP-bound copy did not.' : `Unexpected: ${JSON.stringify(out)}`,
          facts: [
            { label: 'Bearer copy', value: verdict(bearer), tone: 'bad' },
            { label: 'DPoP copy', value: verdict(ownProof), tone: 'good' },
            { label: 'Rule', value: 'RFC 9449 §4.3: the proof key must match cnf.jkt' },
          ],
          data: {
            columns: { classic: 'Bearer token (bound to nothing)', xaa: 'DPoP-bound token' },
            comparison: [
              { label: 'Legitimate agent', classic: '200 accepted', xaa: '200 accepted' },
              { label: 'Thief, as Bearer', classic: verdict(bearer), xaa: verdict(asBearer) },
              { label: 'Thief, with its own proof', classic: '—', xaa: verdict(ownProof) },
            ],
            replays: out,
          },
        };
      },
    },
  ],
};

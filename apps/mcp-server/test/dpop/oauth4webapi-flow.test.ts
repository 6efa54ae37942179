/**
 * Sender-constrained XAA driven by a second independent client library, panva's `oauth4webapi`
 * (RFC 9449 DPoP handle, RFC 8693 and RFC 7523 through its generic grant, protected-resource requests),
 * over real HTTP against the real IdP, a sample AS and its MCP server. The library discovers both
 * authorization servers, mints every proof itself, follows the IdP's `use_dpop_nonce` challenge
 * (RFC 9449 §8) and presents the access token with `Authorization: DPoP` (RFC 9449 §7.1). Then the
 * refusals a second client sees: a connection that requires DPoP without a proof, a stolen bound token
 * replayed with another key, and the same token as Bearer.
 */
import { GRANT_TYPE_JWT_BEARER, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { generateProof } from 'dpop';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, form, type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
let idpMeta: oauth.AuthorizationServer;
let asMeta: oauth.AuthorizationServer;
const insecure = { [oauth.allowInsecureRequests]: true } as const;

beforeAll(async () => {
  stack = await startStack();
  const idpIssuer = new URL(stack.topology.idp.issuer);
  idpMeta = await oauth.processDiscoveryResponse(idpIssuer, await oauth.discoveryRequest(idpIssuer, { ...insecure, algorithm: 'oidc' }));
  const asIssuer = new URL(stack.server('tasks').issuer);
  asMeta = await oauth.processDiscoveryResponse(asIssuer, await oauth.discoveryRequest(asIssuer, { ...insecure, algorithm: 'oauth2' }));
});
afterAll(async () => stack?.close());

const agent = () => stack.topology.clients.find((c) => c.name === 'acme-agent')!;
const idpClient = (): oauth.Client => ({ client_id: agent().idp.client_id });
const asClient = (): oauth.Client => ({ client_id: stack.registration('acme-agent', 'tasks').client_id });

async function idpAdmin(method: string, path: string, body: unknown) {
  const t = await form(
    `${stack.topology.idp.issuer}/token`,
    { grant_type: 'client_credentials', resource: `${stack.topology.idp.issuer}/admin`, scope: 'xaa:admin' },
    basic('ops', stack.topology.ops.client_secret),
  );
  const res = await fetch(`${stack.topology.idp.issuer}${path}`, {
    method,
    headers: { authorization: `Bearer ${t.body.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** RFC 8693 §2.2.1: an ID-JAG is not an access token, so the exchange answers `token_type: N_A` (draft-04 §4.3.4). */
const recognizedTokenTypes: oauth.RecognizedTokenTypes = { n_a: () => {} };

/** A grant request that follows one `use_dpop_nonce` challenge, as the library documents (RFC 9449 §8). */
async function grant(
  as: oauth.AuthorizationServer,
  client: oauth.Client,
  secret: string,
  grantType: string,
  params: Record<string, string>,
  dpop?: oauth.DPoPHandle,
) {
  const send = () =>
    oauth.genericTokenEndpointRequest(as, client, oauth.ClientSecretBasic(secret), grantType, params, { ...insecure, ...(dpop ? { DPoP: dpop } : {}) });
  try {
    return await oauth.processGenericTokenEndpointResponse(as, client, await send(), { recognizedTokenTypes });
  } catch (e) {
    if (!oauth.isDPoPNonceError(e)) throw e;
    return oauth.processGenericTokenEndpointResponse(as, client, await send(), { recognizedTokenTypes });
  }
}

async function exchange(dpop?: oauth.DPoPHandle) {
  const s = stack.server('tasks');
  return grant(
    idpMeta,
    idpClient(),
    agent().idp.client_secret,
    GRANT_TYPE_TOKEN_EXCHANGE,
    {
      requested_token_type: TOKEN_TYPE_ID_JAG,
      audience: s.issuer,
      resource: s.resource,
      scope: 'tasks.read',
      subject_token: await stack.idToken('alice'),
      subject_token_type: TOKEN_TYPE_ID_TOKEN,
    },
    dpop,
  );
}

async function redeem(assertion: string, dpop?: oauth.DPoPHandle) {
  return grant(asMeta, asClient(), stack.registration('acme-agent', 'tasks').client_secret, GRANT_TYPE_JWT_BEARER, { assertion }, dpop);
}

const toolsCall = () => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } });
const mcpHeaders = () =>
  new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-11-25' });

async function callTool(accessToken: string, dpop?: oauth.DPoPHandle) {
  const send = () =>
    oauth.protectedResourceRequest(accessToken, 'POST', new URL(stack.server('tasks').resource), mcpHeaders(), toolsCall(), {
      ...insecure,
      ...(dpop ? { DPoP: dpop } : {}),
    });
  // RFC 9449 §9: a 401 use_dpop_nonce challenge is answered once with the server's nonce.
  return send().catch((e: unknown) => {
    if (!oauth.isDPoPNonceError(e)) throw e;
    return send();
  });
}

/** The library throws on a WWW-Authenticate challenge; return the parsed challenge (RFC 9449 §7.1). */
async function refusal(p: Promise<Response>) {
  const err = await p.then(
    (r) => new Error(`expected a challenge, got ${r.status}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
  const e = err as oauth.WWWAuthenticateChallengeError;
  return { status: e.response.status, challenge: e.cause[0] };
}

describe('oauth4webapi: exchange → jwt-bearer → tools/call, all DPoP', () => {
  it('discovers dpop_signing_alg_values_supported at the IdP and the AS (RFC 9449 §5.1)', () => {
    expect(idpMeta.dpop_signing_alg_values_supported).toContain('ES256');
    expect(asMeta.dpop_signing_alg_values_supported).toContain('ES256');
  });

  it('follows the IdP and AS nonces, binds ID-JAG and access token to the key, and calls the tool with DPoP', async () => {
    await idpAdmin('PATCH', '/admin/settings/dpop', { use_dpop_nonce: true });
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { use_dpop_nonce: true })).status).toBe(200);
    try {
      const keys = await oauth.generateKeyPair('ES256');
      const jkt = await calculateJwkThumbprint(await exportJWK(keys.publicKey));
      const dpop = oauth.DPoP(idpClient(), keys);
      const jag = await exchange(dpop);
      expect(jag.token_type).toBe('n_a');
      expect(decodeJwt(jag.access_token).cnf).toEqual({ jkt });

      const at = await redeem(jag.access_token, oauth.DPoP(asClient(), keys));
      expect(at.token_type).toBe('dpop');
      expect(decodeJwt(at.access_token).cnf).toEqual({ jkt });

      const mark = stack.mcp.flowLogs.tasks!.recent({ limit: 1 })[0]?.id;
      const rsDpop = oauth.DPoP(asClient(), keys);
      const res = await callTool(at.access_token, rsDpop);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('"result"');
      // The server's tool-call event names the proven key, so the live view can follow it.
      const call = stack.mcp.flowLogs.tasks!.recent({ ...(mark ? { after: mark } : {}) }).find((e) => e.step === 'mcp.response');
      expect(call?.data?.dpop).toEqual({ jkt });
      // The MCP server asked for its nonce first (RFC 9449 §9): one refusal that names the nonce check.
      const asked = stack.mcp.flowLogs.tasks!.recent({ ...(mark ? { after: mark } : {}) }).filter((e) => e.step === 'mcp.request' && e.outcome === 'denied');
      expect(asked.map((e) => e.error?.code)).toEqual(['use_dpop_nonce']);
      expect(asked[0]?.check?.id).toBe('dpop.nonce');
    } finally {
      await idpAdmin('PATCH', '/admin/settings/dpop', { use_dpop_nonce: false });
      await stack.admin('tasks', 'PATCH', '/admin/settings', { use_dpop_nonce: false });
    }
  });

  it('the AS asks for a nonce with 400 use_dpop_nonce and a DPoP-Nonce header, and refuses a forged one (RFC 9449 §8)', async () => {
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { use_dpop_nonce: true })).status).toBe(200);
    try {
      const keys = await oauth.generateKeyPair('ES256');
      const jag = await exchange(oauth.DPoP(idpClient(), keys));
      const send = (dpop: string) =>
        form(
          asMeta.token_endpoint as string,
          { grant_type: GRANT_TYPE_JWT_BEARER, assertion: jag.access_token },
          {
            ...basic(asClient().client_id, stack.registration('acme-agent', 'tasks').client_secret),
            dpop,
          },
        );
      const pair = { privateKey: keys.privateKey, publicKey: keys.publicKey };
      const first = await send(await generateProof(pair, asMeta.token_endpoint as string, 'POST'));
      expect(first.status).toBe(400);
      expect(first.body.error).toBe('use_dpop_nonce');
      const nonce = first.headers.get('dpop-nonce');
      expect(nonce).toBeTruthy();
      const forged = await send(await generateProof(pair, asMeta.token_endpoint as string, 'POST', `${nonce}x`));
      expect(forged.body.error).toBe('use_dpop_nonce');
      const ok = await send(await generateProof(pair, asMeta.token_endpoint as string, 'POST', nonce as string));
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
      expect(ok.body.token_type).toBe('DPoP');
    } finally {
      await stack.admin('tasks', 'PATCH', '/admin/settings', { use_dpop_nonce: false });
    }
  });

  it('a stolen bound access token fails with another key (invalid_dpop_proof) and as Bearer (invalid_token)', async () => {
    const keys = await oauth.generateKeyPair('ES256');
    const jag = await exchange(oauth.DPoP(idpClient(), keys));
    const at = await redeem(jag.access_token, oauth.DPoP(asClient(), keys));
    const thief = oauth.DPoP(asClient(), await oauth.generateKeyPair('ES256'));
    const mark = stack.mcp.flowLogs.tasks!.recent({ limit: 1 })[0]?.id;
    const stolen = await refusal(callTool(at.access_token, thief));
    expect(stolen.status).toBe(401);
    expect(stolen.challenge).toMatchObject({ scheme: 'dpop', parameters: { error: 'invalid_dpop_proof' } });
    // The live view's event names the failed check (RFC 9449 §4.3 step 12).
    const refused = stack.mcp.flowLogs.tasks!.recent({ ...(mark ? { after: mark } : {}) }).filter((e) => e.step === 'mcp.request' && e.outcome === 'denied');
    expect(refused.at(-1)?.check).toMatchObject({ id: 'dpop.key', specRef: 'RFC 9449 §4.3 step 12' });
    const asBearer = await refusal(callTool(at.access_token));
    expect(asBearer.status).toBe(401);
    expect(asBearer.challenge).toMatchObject({ scheme: 'dpop', parameters: { error: 'invalid_token' } });
  });

  it('an ID-JAG bound to one key cannot be redeemed with a proof of another (invalid_grant, draft-04 §9.8.1.2.1)', async () => {
    const jag = await exchange(oauth.DPoP(idpClient(), await oauth.generateKeyPair('ES256')));
    const err = await redeem(jag.access_token, oauth.DPoP(asClient(), await oauth.generateKeyPair('ES256'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect((err as oauth.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('a connection that requires DPoP refuses the library without a proof, saying so (invalid_dpop_proof)', async () => {
    await idpAdmin('PATCH', '/admin/connections/conn_acme-agent_tasks', { require_dpop: true });
    try {
      const err = await exchange().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(oauth.ResponseBodyError);
      expect((err as oauth.ResponseBodyError).error).toBe('invalid_dpop_proof');
      expect((err as oauth.ResponseBodyError).error_description).toMatch(/requires DPoP/);
      const ok = await exchange(oauth.DPoP(idpClient(), await oauth.generateKeyPair('ES256')));
      expect(decodeJwt(ok.access_token).cnf).toBeDefined();
    } finally {
      await idpAdmin('PATCH', '/admin/connections/conn_acme-agent_tasks', { require_dpop: false });
    }
  });
});

/**
 * Sender-constrained XAA end to end over real HTTP (draft-04 §9.8.1; RFC 9449; MCP DPoP profile),
 * driven by an independent DPoP client library (`dpop`, RFC 9449 proofs): token exchange with a proof
 * → ID-JAG `cnf.jkt` → jwt-bearer with a proof → access token `cnf.jkt` + `token_type: DPoP` →
 * MCP `tools/call` with `Authorization: DPoP` and a proof carrying `ath`. Then every refusal, by code.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { GRANT_TYPE_JWT_BEARER, GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { calculateThumbprint, generateKeyPair, generateProof, type KeyPair } from 'dpop';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { basic, form, type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
let key: KeyPair;
let other: KeyPair;
let jkt: string;
beforeAll(async () => {
  stack = await startStack();
  key = await generateKeyPair('ES256');
  other = await generateKeyPair('ES256');
  jkt = await calculateThumbprint(key.publicKey);
});
afterAll(async () => stack?.close());

const tasks = () => stack.server('tasks');
const idpToken = () => `${stack.topology.idp.issuer}/token`;
const asToken = () => `${tasks().issuer}/token`;

/** A proof whose `iat` is `ageSeconds` in the past (the library stamps the current clock). */
async function staleProof(k: KeyPair, htu: string, htm: string, ageSeconds: number, accessToken?: string) {
  const real = Date.now();
  const spy = vi.spyOn(Date, 'now').mockReturnValue(real - ageSeconds * 1000);
  try {
    return await generateProof(k, htu, htm, undefined, accessToken);
  } finally {
    spy.mockRestore();
  }
}

async function exchange(proof?: string) {
  const c = stack.topology.clients.find((x) => x.name === 'acme-agent')!;
  const r = await form(
    idpToken(),
    {
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      requested_token_type: TOKEN_TYPE_ID_JAG,
      audience: tasks().issuer,
      resource: tasks().resource,
      scope: 'tasks.read tasks.write',
      subject_token: await stack.idToken('alice'),
      subject_token_type: TOKEN_TYPE_ID_TOKEN,
    },
    { ...basic(c.idp.client_id, c.idp.client_secret), ...(proof ? { dpop: proof } : {}) },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.access_token as string;
}

function redeem(assertion: string, proof?: string) {
  const reg = stack.registration('acme-agent', 'tasks');
  return form(asToken(), { grant_type: GRANT_TYPE_JWT_BEARER, assertion }, { ...basic(reg.client_id, reg.client_secret), ...(proof ? { dpop: proof } : {}) });
}

/** A bound access token for alice at Tasks, obtained with proofs of `key`. */
async function boundAccessToken(): Promise<string> {
  const jag = await exchange(await generateProof(key, idpToken(), 'POST'));
  const r = await redeem(jag, await generateProof(key, asToken(), 'POST'));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.access_token as string;
}

async function mcpCall(authorization: string, proof?: string, url = tasks().resource) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      authorization,
      ...(proof ? { dpop: proof } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } }),
  });
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '', text: await res.text() };
}

describe('metadata (RFC 9449 §5.1, RFC 9728 §2)', () => {
  it('the AS and the PRM list the proof algorithms; the PRM says whether Bearer is refused', async () => {
    const md = (await (await fetch(`${tasks().issuer}/.well-known/oauth-authorization-server`)).json()) as Record<string, string[]>;
    expect(md.dpop_signing_alg_values_supported).toContain('ES256');
    expect(md.dpop_signing_alg_values_supported).not.toContain('none');
    const prm = (await (await fetch(`${tasks().issuer}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(prm).toMatchObject({ dpop_bound_access_tokens_required: false });
    expect(prm.dpop_signing_alg_values_supported as string[]).toContain('ES256');
  });
});

describe('exchange → jwt-bearer → tools/call with proofs', () => {
  it('binds the ID-JAG and the access token to the key, and the MCP server accepts the DPoP call', async () => {
    const jag = await exchange(await generateProof(key, idpToken(), 'POST'));
    expect(decodeJwt(jag).cnf).toEqual({ jkt });
    const r = await redeem(jag, await generateProof(key, asToken(), 'POST'));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.token_type).toBe('DPoP');
    const at = r.body.access_token as string;
    expect(decodeJwt(at).cnf).toEqual({ jkt });

    // The official SDK client, given a fetch that adds `Authorization: DPoP` and a fresh proof per request.
    const dpopFetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const method = init?.method ?? 'GET';
      const headers = new Headers(init?.headers);
      headers.set('authorization', `DPoP ${at}`);
      headers.set('dpop', await generateProof(key, `${url.origin}${url.pathname}`, method, undefined, at));
      return fetch(input, { ...init, headers });
    };
    const client = new Client({ name: 'dpop-test', version: '0.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(tasks().resource), { fetch: dpopFetch }));
    try {
      const created = await client.callTool({ name: 'create_task', arguments: { title: 'Bound call' } });
      expect(created.isError).toBeFalsy();
      const listed = await client.callTool({ name: 'list_tasks', arguments: {} });
      expect((listed.content as Array<{ text: string }>)[0]?.text).toContain('Bound call');
    } finally {
      await client.close();
    }

    // Introspection reports the binding (RFC 9449 §6.2).
    const reg = stack.registration('acme-agent', 'tasks');
    const intro = await form(`${tasks().issuer}/introspect`, { token: at }, basic(reg.client_id, reg.client_secret));
    expect(intro.body).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it('a proof without a bound ID-JAG still binds the access token (draft-04 §9.8.1.2.3)', async () => {
    const r = await redeem(await exchange(), await generateProof(key, asToken(), 'POST'));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.token_type).toBe('DPoP');
    expect(decodeJwt(r.body.access_token).cnf).toEqual({ jkt });
  });

  it('without any proof the flow stays Bearer', async () => {
    const r = await redeem(await exchange());
    expect(r.body.token_type).toBe('Bearer');
    expect(decodeJwt(r.body.access_token).cnf).toBeUndefined();
    expect((await mcpCall(`Bearer ${r.body.access_token}`)).status).toBe(200);
  });

  it('per-tool scopes still apply to a DPoP token (403 insufficient_scope)', async () => {
    const c = stack.topology.clients.find((x) => x.name === 'acme-agent')!;
    const jr = await form(
      idpToken(),
      {
        grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
        requested_token_type: TOKEN_TYPE_ID_JAG,
        audience: tasks().issuer,
        resource: tasks().resource,
        scope: 'tasks.read',
        subject_token: await stack.idToken('alice'),
        subject_token_type: TOKEN_TYPE_ID_TOKEN,
      },
      { ...basic(c.idp.client_id, c.idp.client_secret), dpop: await generateProof(key, idpToken(), 'POST') },
    );
    const r = await redeem(jr.body.access_token, await generateProof(key, asToken(), 'POST'));
    const at = r.body.access_token as string;
    const res = await fetch(tasks().resource, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
        authorization: `DPoP ${at}`,
        dpop: await generateProof(key, tasks().resource, 'POST', undefined, at),
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'create_task', arguments: { title: 'x' } } }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('insufficient_scope');
  });
});

describe('refusals at the AS token endpoint (draft-04 §9.8.1.2, RFC 9449 §5)', () => {
  it('a bound ID-JAG without a proof is invalid_grant', async () => {
    const r = await redeem(await exchange(await generateProof(key, idpToken(), 'POST')));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
    expect(r.body.error_description).toMatch(/DPoP/);
  });

  it('a proof with another key is invalid_grant', async () => {
    const r = await redeem(await exchange(await generateProof(key, idpToken(), 'POST')), await generateProof(other, asToken(), 'POST'));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
    expect(r.body.error_description).toMatch(/cnf\.jkt/);
  });

  it.each([
    ['wrong htm', () => generateProof(key, asToken(), 'GET')],
    ['wrong htu (another path)', () => generateProof(key, `${tasks().issuer}/introspect`, 'POST')],
    ['wrong htu (another server)', () => generateProof(key, `${stack.server('docs').issuer}/token`, 'POST')],
    ['stale iat', () => staleProof(key, asToken(), 'POST', 600)],
  ])('%s is invalid_dpop_proof', async (_name, make) => {
    const r = await redeem(await exchange(await generateProof(key, idpToken(), 'POST')), await make());
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_dpop_proof');
  });

  it('a replayed proof is invalid_dpop_proof', async () => {
    const proof = await generateProof(key, asToken(), 'POST');
    expect((await redeem(await exchange(await generateProof(key, idpToken(), 'POST')), proof)).status).toBe(200);
    const again = await redeem(await exchange(await generateProof(key, idpToken(), 'POST')), proof);
    expect(again.status).toBe(400);
    expect(again.body.error).toBe('invalid_dpop_proof');
  });
});

describe('refusals at the MCP server (RFC 9449 §7, MCP DPoP profile)', () => {
  let at: string;
  beforeAll(async () => {
    at = await boundAccessToken();
  });
  const expectDpop = (r: { status: number; challenge: string }, error: string) => {
    expect(r.status).toBe(401);
    expect(r.challenge).toMatch(/^DPoP /);
    expect(r.challenge).toContain(`error="${error}"`);
    expect(r.challenge).toContain('algs="ES256');
  };

  it('accepts htu spelled with another host case, default-free port and a query (RFC 9449 §4.3 step 9)', async () => {
    const u = new URL(tasks().resource);
    const htu = `HTTP://${u.host.toUpperCase()}${u.pathname}?x=1#f`;
    expect((await mcpCall(`DPoP ${at}`, await generateProof(key, htu, 'POST', undefined, at))).status).toBe(200);
  });

  it('a bound token as Bearer is invalid_token with a DPoP challenge (RFC 9449 §7.2)', async () => {
    expectDpop(await mcpCall(`Bearer ${at}`), 'invalid_token');
  });

  it('DPoP scheme without a proof is invalid_dpop_proof', async () => {
    expectDpop(await mcpCall(`DPoP ${at}`), 'invalid_dpop_proof');
  });

  it.each([
    ['missing ath', () => generateProof(key, tasks().resource, 'POST')],
    ['ath of another token', () => generateProof(key, tasks().resource, 'POST', undefined, `${at}x`)],
    ['proof with another key', () => generateProof(other, tasks().resource, 'POST', undefined, at)],
    ['wrong htm', () => generateProof(key, tasks().resource, 'GET', undefined, at)],
    ['wrong htu (AS token endpoint)', () => generateProof(key, asToken(), 'POST', undefined, at)],
    ['wrong htu (another MCP server)', () => generateProof(key, stack.server('docs').resource, 'POST', undefined, at)],
    ['stale iat (beyond ±5 min)', () => staleProof(key, tasks().resource, 'POST', 400, at)],
    ['iat in the future', () => staleProof(key, tasks().resource, 'POST', -120, at)],
  ])('%s is invalid_dpop_proof', async (_name, make) => {
    expectDpop(await mcpCall(`DPoP ${at}`, await make()), 'invalid_dpop_proof');
  });

  it('a proof 4 minutes old is still inside the ±5 min window', async () => {
    expect((await mcpCall(`DPoP ${at}`, await staleProof(key, tasks().resource, 'POST', 240, at))).status).toBe(200);
  });

  it('a replayed proof jti is invalid_dpop_proof', async () => {
    const proof = await generateProof(key, tasks().resource, 'POST', undefined, at);
    expect((await mcpCall(`DPoP ${at}`, proof)).status).toBe(200);
    expectDpop(await mcpCall(`DPoP ${at}`, proof), 'invalid_dpop_proof');
  });

  it('an unbound token under the DPoP scheme is invalid_token', async () => {
    const r = await redeem(await exchange());
    const unbound = r.body.access_token as string;
    expectDpop(await mcpCall(`DPoP ${unbound}`, await generateProof(key, tasks().resource, 'POST', undefined, unbound)), 'invalid_token');
  });
});

describe('dpop_bound_access_tokens_required (admin setting)', () => {
  it('the PRM says so, Bearer is refused at the MCP server and the AS wants a proof', async () => {
    const unbound = (await redeem(await exchange())).body.access_token as string;
    const bound = await boundAccessToken();
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { dpop_bound_access_tokens_required: true })).status).toBe(200);
    try {
      const prm = (await (await fetch(`${tasks().issuer}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
      expect(prm.dpop_bound_access_tokens_required).toBe(true);
      const r = await mcpCall(`Bearer ${unbound}`);
      expect(r.status).toBe(401);
      expect(r.challenge).toMatch(/^DPoP .*error="invalid_token"/);
      const none = await redeem(await exchange());
      expect(none.status).toBe(400);
      expect(none.body).toMatchObject({ error: 'invalid_grant' });
      expect(none.body.error_description).toMatch(/DPoP-bound/);
      expect((await mcpCall(`DPoP ${bound}`, await generateProof(key, tasks().resource, 'POST', undefined, bound))).status).toBe(200);
    } finally {
      await stack.admin('tasks', 'PATCH', '/admin/settings', { dpop_bound_access_tokens_required: false });
    }
  });
});

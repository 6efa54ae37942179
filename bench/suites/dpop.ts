/**
 * What sender constraint costs (RFC 9449): the whole XAA flow with DPoP against the same flow with
 * bearer tokens, in the same run, on the real IdP and the Tasks server (its AS and MCP endpoint).
 *
 *  - flow: token exchange at the IdP → jwt-bearer at the Tasks AS → MCP `tools/call` (list_tasks).
 *    The DPoP side makes a proof for each of the three requests (ES256, the client's cost) and the
 *    servers verify them (signature, htm/htu, iat, jti replay cache, ath, cnf.jkt).
 *  - tools/call: one MCP call with a token obtained beforehand — `Authorization: DPoP` with a fresh
 *    proof against `Authorization: Bearer` — the steady-state price per request.
 *
 * Both sides run in alternating slices; the subject ID token comes from one SSO before the timed loop.
 */
import { start as startIdp } from '@xaa/idp';
import { start as startServers } from '@xaa/mcp-server';
import { accessTokenHash } from '@xaa/protocol';
import { startStack } from '@xaa/testkit';
import { ssoLogin } from '@xaa/user-agent';
import { interleaved } from '../interleave.ts';
import type { BenchSuite, Measurement } from '../measure.ts';

const suite: BenchSuite = async (ctx) => {
  const stack = await startStack({
    dataDir: ctx.dataDir,
    parts: {
      idp: ({ topology, dataDir }) => startIdp({ topology, dataDir, quiet: true }),
      servers: ({ topology, dataDir }) => startServers({ topology, dataDir, quiet: true }),
    },
  });
  const { idp, topology } = stack;
  try {
    const agent = topology.clients.find((c) => c.name === 'acme-agent');
    const tasks = topology.servers.find((s) => s.name === 'tasks');
    const reg = agent?.servers.tasks;
    if (!agent || !tasks || !reg) throw new Error('topology without acme-agent or tasks');
    const { tokens } = await ssoLogin({
      issuer: idp.issuer,
      clientId: agent.idp.client_id,
      clientSecret: agent.idp.client_secret,
      redirectUri: agent.idp.redirect_uris[0] as string,
      username: 'alice',
      password: 'demo',
    });
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const idpAuth = basic(agent.idp.client_id, agent.idp.client_secret);
    const asAuth = basic(reg.client_id, reg.client_secret as string);
    const idpToken = `${idp.issuer}/token`;
    const asToken = `${tasks.issuer}/token`;

    // The client's proofs, made with WebCrypto (ES256; a P1363 ECDSA signature is the JWS form).
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const b64 = (v: string | ArrayBuffer) => Buffer.from(typeof v === 'string' ? v : new Uint8Array(v)).toString('base64url');
    const header = b64(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } }));
    const proof = async (htm: string, htu: string, ath?: string) => {
      const payload = b64(JSON.stringify({ jti: crypto.randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...(ath ? { ath } : {}) }));
      const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, new TextEncoder().encode(`${header}.${payload}`));
      return `${header}.${payload}.${b64(sig)}`;
    };

    const grant = async (url: string, authorization: string, form: Record<string, string>, dpop: boolean) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', ...(dpop ? { dpop: await proof('POST', url) } : {}) },
        body: new URLSearchParams(form),
      });
      const body = (await res.json()) as { access_token?: string; token_type?: string; error?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`${res.status} ${body.error ?? ''}`);
      if (dpop && url === asToken && body.token_type !== 'DPoP') throw new Error(`expected a DPoP-bound token, got ${body.token_type}`);
      return body.access_token;
    };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_tasks', arguments: {} } });
    const call = async (token: string, dpop: boolean) => {
      const res = await fetch(tasks.resource, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          authorization: `${dpop ? 'DPoP' : 'Bearer'} ${token}`,
          ...(dpop ? { dpop: await proof('POST', tasks.resource, await accessTokenHash(token)) } : {}),
        },
        body,
      });
      const text = await res.text();
      if (res.status !== 200 || !text.includes('"result"')) throw new Error(`${res.status} ${text.slice(0, 80)}`);
    };
    /** Token exchange → jwt-bearer: an access token, DPoP-bound when `dpop`. */
    const obtain = async (dpop: boolean) => {
      const jag = await grant(
        idpToken,
        idpAuth,
        {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
          subject_token: tokens.id_token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
          audience: tasks.issuer,
          resource: tasks.resource,
          scope: 'tasks.read',
        },
        dpop,
      );
      return grant(asToken, asAuth, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jag }, dpop);
    };
    const flow = async (dpop: boolean) => call(await obtain(dpop), dpop);

    const options = { concurrency: ctx.concurrency, durationMs: ctx.durationMs, warmupCalls: 30, rounds: ctx.quick ? 2 : 4 };
    const [dpopFlow, bearerFlow] = (await interleaved(
      [
        { name: 'flow with DPoP (exchange → jwt-bearer → call)', fn: () => flow(true) },
        { name: 'flow with Bearer (exchange → jwt-bearer → call)', fn: () => flow(false) },
      ],
      options,
    )) as [Measurement, Measurement];

    // Steady state: one token each, reused; only the call is timed.
    const boundToken = await obtain(true);
    const bearerToken = await obtain(false);
    const [dpopCall, bearerCall] = (await interleaved(
      [
        { name: 'tools/call, Authorization: DPoP + proof', fn: () => call(boundToken, true) },
        { name: 'tools/call, Authorization: Bearer', fn: () => call(bearerToken, false) },
      ],
      options,
    )) as [Measurement, Measurement];

    return {
      suite: 'dpop',
      measurements: [dpopFlow, bearerFlow, dpopCall, bearerCall],
      ratios: [
        { name: 'DPoP flow / Bearer flow (throughput)', value: dpopFlow.throughput / bearerFlow.throughput },
        { name: 'DPoP call / Bearer call (throughput)', value: dpopCall.throughput / bearerCall.throughput },
      ],
    };
  } finally {
    await stack.close();
  }
};

export default suite;

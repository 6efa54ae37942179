/**
 * The sample agent with DPoP (RFC 9449; MCP DPoP profile) against the real IdP and sample servers:
 * `--dpop` (config option) gives the signed-in session one key pair kept in client.db; the ID-JAG and
 * the access token are bound to it (`cnf.jkt`), tool calls go out as `Authorization: DPoP` with a
 * proof, a sub-agent binds its down-scoped token to its own key, a later process reuses the stored key,
 * a new sign-in gets a new key, and the IdP's nonce challenge is followed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowLog } from '@xaa/node-kit';
import type { FlowEvent } from '@xaa/protocol';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent.ts';
import { EXIT, runClientCli } from '../../src/cli.ts';
import { configFromTopology } from '../../src/config.ts';
import { ClientStore } from '../../src/store.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
let dir: string;
let store: ClientStore;
const flowLog = new FlowLog({ capacity: 2000 });

beforeAll(async () => {
  stack = await startStack({ servers: true });
  dir = mkdtempSync(join(tmpdir(), 'xaa-agent-dpop-'));
  store = ClientStore.open(dir);
});
afterAll(async () => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await stack?.close();
});

const agentWith = (dpop: boolean) => new Agent({ config: configFromTopology(stack.topology, { dpop }), store, flowLog });
const trace = (traceId: string): FlowEvent[] => flowLog.recent({ traceId, limit: 2000 });
const cnf = (token: string | null | undefined) => (token ? (decodeJwt(token).cnf as { jkt?: string } | undefined)?.jkt : undefined);

describe('agent --dpop', () => {
  it('binds the ID-JAG and the access token to the session key and calls tools with DPoP', async () => {
    const agent = agentWith(true);
    expect((await agent.login({ user: 'alice', app: 'acme-agent', headless: true })).outcome).toBe('ok');
    const r = await agent.connect({ servers: ['tasks'] });
    expect(r.outcome, JSON.stringify(r.servers)).toBe('ok');
    const key = store.getDpopKey('alice', 'acme-agent', '');
    expect(key?.jkt).toBeTruthy();
    const row = store.getConnection('alice', 'acme-agent', 'tasks');
    expect(row?.token_type).toBe('DPoP');
    expect(cnf(row?.access_token)).toBe(key?.jkt);

    const events = trace(r.traceId);
    const ex = events.find((e) => e.step === 'exchange.request');
    expect(ex?.tokens?.find((t) => t.role === 'id_jag')?.claims.cnf).toEqual({ jkt: key?.jkt });
    expect(ex?.tokens?.find((t) => t.role === 'dpop_proof')?.claims).toMatchObject({ htm: 'POST', htu: `${stack.topology.idp.issuer}/token` });
    // Every authorised MCP request carries a proof bound to the token (ath); discovery's first probe has neither.
    const mcp = events.filter((e) => e.step === 'mcp.request' && e.tokens?.some((t) => t.role === 'access_token'));
    expect(mcp.length).toBeGreaterThan(0);
    for (const e of mcp) expect(e.tokens?.find((t) => t.role === 'dpop_proof')?.claims.ath).toBeTruthy();
    expect(JSON.stringify(mcp[0]?.http?.request)).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}\.[\w-]{20,}/);

    const call = await agent.call({ server: 'tasks', tool: 'list_tasks' });
    expect(call.outcome, JSON.stringify(call.error)).toBe('ok');
    expect(call.renewed).toBe(false);
  });

  it('a sub-agent binds its down-scoped token to its own key', async () => {
    const agent = agentWith(true);
    const sub = await agent.connect({ servers: ['tasks'], scope: 'tasks.read' });
    expect(sub.outcome, JSON.stringify(sub.servers)).toBe('ok');
    const session = store.getDpopKey('alice', 'acme-agent', '');
    const own = store.getDpopKey('alice', 'acme-agent', 'scope:tasks.read');
    expect(own?.jkt).toBeTruthy();
    expect(own?.jkt).not.toBe(session?.jkt);
    expect(cnf(store.getConnection('alice', 'acme-agent', 'tasks', 'scope:tasks.read')?.access_token)).toBe(own?.jkt);
    const read = await agent.call({ server: 'tasks', tool: 'list_tasks', scope: 'tasks.read' });
    expect(read.outcome, JSON.stringify(read.error)).toBe('ok');
  });

  it('a later process without --dpop still presents the stored bound token with proofs of the stored key', async () => {
    const later = agentWith(false);
    const call = await later.call({ server: 'tasks', tool: 'list_tasks' });
    expect(call.outcome, JSON.stringify(call.error)).toBe('ok');
    const e = trace(call.traceId).find((x) => x.step === 'mcp.request');
    expect(e?.tokens?.find((t) => t.role === 'dpop_proof')).toBeDefined();
  });

  it('follows the IdP and AS nonce challenges (RFC 9449 §8)', async () => {
    const docsAdmin = `${stack.topology.servers.find((x) => x.name === 'docs')?.issuer}/admin`;
    const set = await stack.admin(`${stack.topology.idp.issuer}/admin`, 'PATCH', '/settings/dpop', { use_dpop_nonce: true });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await stack.admin(docsAdmin, 'PATCH', '/settings', { use_dpop_nonce: true })).status).toBe(200);
    try {
      const r = await agentWith(true).connect({ servers: ['docs'] });
      expect(r.outcome, JSON.stringify(r.servers)).toBe('ok');
      const ex = trace(r.traceId).filter((e) => e.step === 'exchange.request');
      expect(ex.map((e) => e.http?.status)).toEqual([400, 200]);
      expect(ex[0]?.error?.code).toBe('use_dpop_nonce');
      const jb = trace(r.traceId).filter((e) => e.step === 'bearer.request' && e.party === 'client');
      expect(jb.map((e) => e.http?.status)).toEqual([400, 200]);
      // The MCP server wants its nonce too (RFC 9449 §9); the AS on the same origin already handed one out.
      const mcp = trace(r.traceId).filter((e) => e.step === 'mcp.request' && e.party === 'client' && e.tokens?.some((t) => t.role === 'dpop_proof'));
      expect(mcp.length).toBeGreaterThan(0);
      for (const e of mcp) {
        expect(e.http?.status).toBe(200);
        expect(e.tokens?.find((t) => t.role === 'dpop_proof')?.claims.nonce).toBeTruthy();
      }
      expect((await agentWith(true).call({ server: 'docs', tool: 'search_docs', args: { query: 'a' } })).outcome).toBe('ok');
    } finally {
      await stack.admin(`${stack.topology.idp.issuer}/admin`, 'PATCH', '/settings/dpop', { use_dpop_nonce: false });
      await stack.admin(docsAdmin, 'PATCH', '/settings', { use_dpop_nonce: false });
    }
  });

  it('a new sign-in is a new session with a new key', async () => {
    const before = store.getDpopKey('alice', 'acme-agent', '')?.jkt;
    const agent = agentWith(true);
    expect((await agent.login({ user: 'alice', app: 'acme-agent', headless: true })).outcome).toBe('ok');
    expect(store.getDpopKey('alice', 'acme-agent', '')).toBeUndefined();
    expect((await agent.connect({ servers: ['tasks'] })).outcome).toBe('ok');
    const after = store.getDpopKey('alice', 'acme-agent', '')?.jkt;
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
  });

  it('without --dpop the flow stays Bearer (the official SDK path, unchanged)', async () => {
    const agent = agentWith(false);
    expect((await agent.login({ user: 'dave', app: 'acme-agent', headless: true })).outcome).toBe('ok');
    const r = await agent.connect({ servers: ['docs'] });
    expect(r.outcome, JSON.stringify(r.servers)).toBe('ok');
    expect(store.getConnection('dave', 'acme-agent', 'docs')?.token_type).toBe('Bearer');
    expect(store.getDpopKey('dave', 'acme-agent', '')).toBeUndefined();
  });

  it('without --dpop, binds anyway when the resource requires DPoP-bound tokens (PRM dpop_bound_access_tokens_required)', async () => {
    const docs = stack.topology.servers.find((x) => x.name === 'docs')?.issuer as string;
    expect((await stack.admin(`${docs}/admin`, 'PATCH', '/settings', { dpop_bound_access_tokens_required: true })).status).toBe(200);
    try {
      const agent = agentWith(false);
      const r = await agent.connect({ user: 'dave', app: 'acme-agent', servers: ['docs'] });
      expect(r.outcome, JSON.stringify(r.servers)).toBe('ok');
      const key = store.getDpopKey('dave', 'acme-agent', '');
      expect(key?.jkt).toBeTruthy();
      const row = store.getConnection('dave', 'acme-agent', 'docs');
      expect(row?.token_type).toBe('DPoP');
      expect(cnf(row?.access_token)).toBe(key?.jkt);
      expect((await agent.call({ user: 'dave', app: 'acme-agent', server: 'docs', tool: 'search_docs', args: { query: 'a' } })).outcome).toBe('ok');
    } finally {
      await stack.admin(`${docs}/admin`, 'PATCH', '/settings', { dpop_bound_access_tokens_required: false });
    }
  });

  it('without --dpop, binds when the IdP connection requires DPoP (invalid_dpop_proof → the exchange again, with a proof)', async () => {
    const idpAdmin = `${stack.topology.idp.issuer}/admin`;
    const conn = (await stack.admin(idpAdmin, 'GET', '/connections?client_id=acme-agent&server=tasks')).body.connections[0] as { id: string };
    expect((await stack.admin(idpAdmin, 'PATCH', `/connections/${conn.id}`, { require_dpop: true })).status).toBe(200);
    try {
      const agent = agentWith(false);
      const r = await agent.connect({ user: 'alice', app: 'acme-agent', servers: ['tasks'] });
      expect(r.outcome, JSON.stringify(r.servers)).toBe('ok');
      const ex = trace(r.traceId).filter((e) => e.step === 'exchange.request' && e.party === 'client');
      expect(ex.map((e) => e.http?.status)).toEqual([400, 200]);
      expect(ex[0]?.error?.code).toBe('invalid_dpop_proof');
      expect(ex[1]?.tokens?.find((t) => t.role === 'id_jag')?.claims.cnf).toEqual({ jkt: store.getDpopKey('alice', 'acme-agent', '')?.jkt });
      expect(store.getConnection('alice', 'acme-agent', 'tasks')?.token_type).toBe('DPoP');
    } finally {
      await stack.admin(idpAdmin, 'PATCH', `/connections/${conn.id}`, { require_dpop: false });
    }
  });

  it('refuses a silent downgrade: an ID-JAG without cnf after a proof is not used (draft-04 §9.8.1.1)', async () => {
    // A man in the middle (or a non-conforming IdP) strips cnf from the ID-JAG.
    const stripCnf = async (url: string | URL, init?: RequestInit) => {
      const res = await fetch(url, init);
      const body = typeof init?.body === 'string' ? init.body : init?.body instanceof URLSearchParams ? init.body.toString() : '';
      if (!body.includes('token-exchange') || res.status !== 200) return res;
      const json = (await res.json()) as { access_token: string };
      const [h, p, sig] = json.access_token.split('.');
      const claims = JSON.parse(Buffer.from(p as string, 'base64url').toString());
      delete claims.cnf;
      const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
      return new Response(JSON.stringify({ ...json, access_token: forged }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const agent = new Agent({ config: configFromTopology(stack.topology, { dpop: true }), store, flowLog, fetch: stripCnf });
    const r = await agent.connect({ user: 'alice', app: 'acme-agent', servers: ['docs'] });
    expect(r.outcome).toBe('error');
    expect(r.servers[0]?.error?.code).toBe('dpop_downgrade');
    expect(trace(r.traceId).some((e) => e.step === 'bearer.request')).toBe(false);
  });

  it('the CLI takes --dpop: connect binds the token to the session key (exit 0)', async () => {
    let out = '';
    const io = {
      tty: false,
      out: (t: string) => {
        out += t;
      },
      err: () => {},
    };
    expect(await runClientCli(['login', '--app', 'acme-chat', '--user', 'dave', '--headless'], { dataDir: stack.dataDir, io })).toBe(EXIT.ok);
    out = '';
    expect(await runClientCli(['connect', 'docs', '--dpop', '--json'], { dataDir: stack.dataDir, io })).toBe(EXIT.ok);
    expect(JSON.parse(out).steps.some((s: { step: string }) => s.step === 'dpop')).toBe(true);
    const cli = ClientStore.open(stack.dataDir);
    try {
      const key = cli.getDpopKey('dave', 'acme-chat', '');
      expect(key?.jkt).toBeTruthy();
      expect(cnf(cli.getConnection('dave', 'acme-chat', 'docs')?.access_token)).toBe(key?.jkt);
    } finally {
      cli.close();
    }
  });
});

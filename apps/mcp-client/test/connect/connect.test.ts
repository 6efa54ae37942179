/**
 * The whole flow against the real IdP and the real sample servers (their `start()`, in-process, on
 * free loopback ports): discovery → ID-JAG → access token → MCP session → tools, under the seeded
 * policy (docs/decisions.md §3), with the classic consent flow for Wiki as the "before XAA" contrast.
 */
import type { FlowEvent } from '@xaa/protocol';
import { navigate } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../../src/agent.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
let agentSkew = 0;
let serverSkew = 0;

beforeAll(async () => {
  stack = await startStack({ servers: true, agentNow: () => Date.now() + agentSkew, serverNow: () => Date.now() + serverSkew });
});
afterAll(async () => {
  await stack?.close();
});

const agent = () => stack.agent.agent;
const trace = (traceId: string): FlowEvent[] => stack.agent.flowLog.recent({ traceId, limit: 2000 });
const text = (r: CallOutcome) => (r.result?.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('\n');
const serverOrigin = (name: string) => stack.topology.servers.find((s) => s.name === name)?.issuer as string;

async function loginAs(user: string, app: string) {
  const r = await agent().login({ user, app, headless: true });
  expect(r.outcome, JSON.stringify(r.error)).toBe('ok');
  return r;
}

describe('alice via Acme Agent (EMA: no consent screens)', () => {
  it('connects to Tasks and Docs with zero consent screens and calls a tool on each', async () => {
    await loginAs('alice', 'acme-agent');
    const r = await agent().connect({ servers: ['tasks', 'docs'] });
    expect(r.outcome, JSON.stringify(r.servers)).toBe('ok');
    expect(r.consentScreens).toBe(0);
    for (const s of r.servers) {
      expect(s).toMatchObject({ mode: 'xaa', status: 'connected', consentScreens: 0 });
      expect(s.tools?.length).toBeGreaterThan(0);
      // Each tool as listed (MCP tools/list), with the JSON Schema of its arguments, kept with the connection.
      expect(s.toolList?.map((t) => t.name)).toEqual(s.tools);
      expect(s.toolList?.every((t) => t.inputSchema?.type === 'object')).toBe(true);
    }
    const status = await agent().status();
    const search = status.connections.find((c) => c.server === 'docs')?.toolList.find((t) => t.name === 'search_docs');
    expect(search?.description).toBeTruthy();
    expect(search?.inputSchema).toMatchObject({ type: 'object', properties: { query: { type: 'string' } } });
    // Client-side events of legs 2 and 3, one trace, no classic consent anywhere.
    const steps = trace(r.traceId).map((e) => e.step);
    expect(steps.filter((s) => s === 'exchange.request')).toHaveLength(2);
    expect(steps.filter((s) => s === 'bearer.request')).toHaveLength(2);
    expect(steps.some((s) => s.startsWith('classic.'))).toBe(false);
    // The exchange names the AS issuer as audience and the PRM resource (EMA §4).
    const ex = trace(r.traceId).find((e) => e.step === 'exchange.request' && e.subject?.server === 'tasks');
    expect(ex?.data).toMatchObject({ audience: serverOrigin('tasks'), resource: `${serverOrigin('tasks')}/mcp` });
    expect(ex?.tokens?.map((t) => t.role)).toEqual(['id_token', 'id_jag']);
    expect(JSON.stringify(ex?.http)).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}\.[\w-]{20,}/);

    const tasks = await agent().call({ server: 'tasks', tool: 'list_tasks' });
    expect(tasks.outcome, JSON.stringify(tasks.error)).toBe('ok');
    expect(text(tasks)).toMatch(/task/);
    const docs = await agent().call({ server: 'docs', tool: 'search_docs', args: { query: 'a' } });
    expect(docs.outcome, JSON.stringify(docs.error)).toBe('ok');
    expect(text(docs)).toMatch(/document/);
    expect(tasks.renewed).toBe(false);
  });

  it('is denied at CRM with access_denied and the reason, marked blocked, with no fallback to consent', async () => {
    const r = await agent().connect({ servers: ['crm'] });
    expect(r.outcome).toBe('denied');
    const crm = r.servers[0];
    expect(crm?.status).toBe('blocked');
    expect(crm?.message).toContain('blocked by your organization');
    expect(crm?.error?.code).toBe('access_denied');
    expect(crm?.error?.description.length).toBeGreaterThan(0);
    expect(r.consentScreens).toBe(0);
    expect(trace(r.traceId).some((e) => e.step.startsWith('classic.'))).toBe(false);
    const status = await agent().status();
    expect(status.connections.find((c) => c.server === 'crm')?.status).toBe('blocked by your organization');
  });

  it('gets a down-scoped sub-agent token derived from the same login (lineage in the events)', async () => {
    const main = trace((await agent().connect({ servers: ['tasks'] })).traceId).find((e) => e.step === 'exchange.request');
    const sub = await agent().connect({ servers: ['tasks'], scope: 'tasks.read' });
    expect(sub.outcome).toBe('ok');
    expect(sub.servers[0]?.scope).toBe('tasks.read');
    const subEx = trace(sub.traceId).find((e) => e.step === 'exchange.request');
    const session = agent().store.getSession('alice', 'acme-agent');
    expect(subEx?.data?.lineage).toMatchObject({ role: 'sub-agent', loginTraceId: session?.login_trace, scope: 'tasks.read' });
    const hashOf = (e: FlowEvent | undefined) => (e?.data?.lineage as { idTokenHash?: string } | undefined)?.idTokenHash;
    expect(hashOf(subEx)).toBeTruthy();
    expect(hashOf(subEx)).toBe(hashOf(main));
    expect(subEx?.tokens?.find((t) => t.role === 'id_jag')?.claims.scope).toBe('tasks.read');
    // The main connection keeps its broader token; the sub-agent cannot step up beyond its scope.
    expect(agent().store.getConnection('alice', 'acme-agent', 'tasks')?.scope).toContain('tasks.write');
    const write = await agent().call({ server: 'tasks', tool: 'create_task', args: { title: 'sub-agent write' }, scope: 'tasks.read' });
    expect(write).toMatchObject({ outcome: 'denied', error: { code: 'insufficient_scope' } });
    expect(trace(write.traceId).filter((e) => e.step === 'exchange.request')).toHaveLength(0);
  });
});

describe('policy denials', () => {
  it('denies bob (contractor) at Tasks where policy says so, and lets him reach Docs', async () => {
    await loginAs('bob', 'acme-agent');
    const r = await agent().connect({ servers: ['tasks', 'docs'] });
    expect(r.outcome).toBe('denied');
    expect(r.servers.find((s) => s.server === 'tasks')).toMatchObject({ status: 'blocked', error: { code: 'access_denied' } });
    expect(r.servers.find((s) => s.server === 'docs')).toMatchObject({ status: 'connected' });
  });

  it('denies Shadow Agent everywhere', async () => {
    await loginAs('alice', 'shadow-agent');
    const r = await agent().connect({ servers: ['tasks', 'docs', 'crm'] });
    expect(r.outcome).toBe('denied');
    for (const s of r.servers) expect(s.status, s.server).toBe('blocked');
  });
});

describe('renewal', () => {
  it('re-exchanges silently when the access token has expired (new jti), with the AS lifetime shortened', async () => {
    await loginAs('alice', 'acme-agent');
    const set = await stack.admin(`${serverOrigin('tasks')}/admin`, 'PATCH', '/settings', { access_token_ttl: 30 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const c = await agent().connect({ servers: ['tasks'] });
    const first = c.servers[0];
    expect(first?.expiresAt).toBeLessThanOrEqual(agent().now() + 31);

    // (a) the agent sees the expiry itself: fresh ID-JAG and token before the call.
    agentSkew = 31_000;
    const a = await agent().call({ server: 'tasks', tool: 'list_tasks' });
    expect(a.outcome, JSON.stringify(a.error)).toBe('ok');
    expect(a.renewed).toBe(true);
    expect(a.jti).toBeTruthy();
    expect(a.jti).not.toBe(first?.jti);
    expect(trace(a.traceId).filter((e) => e.step === 'exchange.request')).toHaveLength(1);

    // (b) the server says 401 first (its clock is ahead): the SDK re-auths through leg 2, new jti.
    serverSkew = 31_000 + 31_000;
    const b = await agent().call({ server: 'tasks', tool: 'list_tasks' });
    expect(b.outcome, JSON.stringify(b.error)).toBe('ok');
    expect(b.renewed).toBe(true);
    expect(b.jti).not.toBe(a.jti);
    const steps = trace(b.traceId).map((e) => `${e.step}:${e.http?.status ?? ''}`);
    expect(steps).toContain('mcp.request:401');
    expect(steps.filter((s) => s.startsWith('exchange.request'))).toHaveLength(1);
    agentSkew = 0;
    serverSkew = 0;
    await stack.admin(`${serverOrigin('tasks')}/admin`, 'PATCH', '/settings', { access_token_ttl: 300 });
  });

  it('renews an expired ID token with the IdP refresh token before the new exchange (draft-04 §4.4.3)', async () => {
    await loginAs('alice', 'acme-agent');
    await agent().connect({ servers: ['docs'] });
    const before = agent().store.getSession('alice', 'acme-agent');
    agentSkew = 3_700_000; // past the ID token's exp and the access token's
    const r = await agent().call({ server: 'docs', tool: 'search_docs', args: { query: 'a' } });
    agentSkew = 0;
    expect(r.outcome, JSON.stringify(r.error)).toBe('ok');
    expect(r.renewed).toBe(true);
    expect(r.steps.some((s) => s.step === 'sso-refresh' && s.outcome === 'ok')).toBe(true);
    const after = agent().store.getSession('alice', 'acme-agent');
    expect(after?.id_token).not.toBe(before?.id_token);
    expect(after?.login_trace).toBe(before?.login_trace);
    expect(trace(r.traceId).map((e) => e.step)).toEqual(expect.arrayContaining(['sso.token', 'exchange.request', 'bearer.request', 'mcp.request']));
  });

  it('renews the ID token once when the IdP rejects it as subject token (invalid_grant), then retries', async () => {
    await loginAs('alice', 'acme-agent');
    const s = agent().store.getSession('alice', 'acme-agent');
    if (!s) throw new Error('no session');
    const parts = s.id_token.split('.');
    agent().store.updateSessionTokens(
      'alice',
      'acme-agent',
      { id_token: `${parts[0]}.${parts[1]}.AAAA`, id_token_exp: s.id_token_exp, refresh_token: null },
      agent().now(),
    );
    const r = await agent().connect({ servers: ['docs'] });
    expect(r.outcome, JSON.stringify(r.servers)).toBe('ok');
    const exchanges = trace(r.traceId).filter((e) => e.step === 'exchange.request');
    expect(exchanges.map((e) => e.outcome)).toEqual(['error', 'ok']);
    expect(exchanges[0]?.error?.code).toBe('invalid_grant');
    expect(r.steps.some((x) => x.step === 'sso-refresh')).toBe(true);
  });

  it('steps up once with the union of scopes on 403 insufficient_scope, after IT widens the connection', async () => {
    await loginAs('dave', 'acme-chat');
    const c = await agent().connect({ servers: ['docs'] });
    expect(c.servers[0]?.scope).toBe('docs.read');
    const denied = await agent().call({ server: 'docs', tool: 'write_doc', args: { title: 'Plan', body: 'x' } });
    expect(denied).toMatchObject({ outcome: 'denied', error: { code: 'insufficient_scope' } });
    // One step-up exchange (union of scopes), narrowed again by the IdP: not retried further.
    expect(trace(denied.traceId).filter((e) => e.step === 'exchange.request')).toHaveLength(1);
    const list = await stack.admin(stack.topology.idp.admin, 'GET', '/connections?client_id=acme-chat&server=docs');
    const id = list.body.connections[0].id as string;
    expect((await stack.admin(stack.topology.idp.admin, 'PATCH', `/connections/${id}`, { scopes: ['docs.read', 'docs.write'] })).status).toBe(200);
    const r = await agent().call({ server: 'docs', tool: 'write_doc', args: { title: 'Plan', body: 'x' } });
    expect(r.outcome, JSON.stringify(r.error)).toBe('ok');
    const ex = trace(r.traceId).filter((e) => e.step === 'exchange.request');
    expect(ex).toHaveLength(1);
    expect(String(ex[0]?.data?.requestedScope).split(' ').sort()).toEqual(['docs.read', 'docs.write']);
    await stack.admin(stack.topology.idp.admin, 'PATCH', `/connections/${id}`, { scopes: ['docs.read'] });
  });

  it('fails the next refresh once alice is disabled, and then every new exchange', async () => {
    await loginAs('alice', 'acme-agent');
    expect((await stack.admin(stack.topology.idp.admin, 'PATCH', '/users/alice', { disabled: true })).status).toBe(200);
    const r = await agent().refresh();
    expect(r).toMatchObject({ outcome: 'denied', error: { code: 'invalid_grant' } });
    const c = await agent().connect({ servers: ['docs'] });
    expect(c.outcome).toBe('denied');
    await stack.admin(stack.topology.idp.admin, 'PATCH', '/users/alice', { disabled: false });
  });
});

describe('the classic flow (before XAA)', () => {
  it('connects to Wiki with authorization code + PKCE and a consent screen, counted', async () => {
    await loginAs('alice', 'acme-agent');
    const r = await agent().connect({ servers: ['wiki'], headless: true });
    expect(r.outcome, JSON.stringify(r.servers)).toBe('ok');
    expect(r.servers[0]).toMatchObject({ mode: 'classic', status: 'connected' });
    expect(r.consentScreens).toBeGreaterThanOrEqual(1);
    expect(trace(r.traceId).some((e) => e.step === 'classic.consent')).toBe(true);
    const call = await agent().call({ server: 'wiki', tool: 'search_wiki', args: { query: 'a' } });
    expect(call.outcome, JSON.stringify(call.error)).toBe('ok');
  });

  it('without headless, hands back the URL to approve; the browser returning to /callback finishes it', async () => {
    await loginAs('dave', 'acme-agent');
    const r = await agent().connect({ servers: ['wiki'] });
    expect(r.servers[0]).toMatchObject({ mode: 'classic', status: 'pending' });
    const url = r.servers[0]?.authorizationUrl as string;
    expect(new URL(url).searchParams.get('code_challenge_method')).toBe('S256');
    // The user's browser (played headlessly): Wiki signs in through the company IdP, then its consent screen.
    const nav = await navigate(new URL(url), {
      fetch,
      redirectUri: `${stack.topology.agent.url}/callback`,
      credentials: { username: 'dave', password: 'demo' },
      approveConsent: true,
      maxSteps: 24,
    });
    expect(nav.ok, JSON.stringify(nav)).toBe(true);
    if (!nav.ok) return;
    expect(nav.consentScreens).toBe(1);
    const cb = await fetch(nav.callbackUrl);
    expect(cb.status, await cb.clone().text()).toBe(200);
    const row = agent().store.getConnection('dave', 'acme-agent', 'wiki');
    expect(row).toMatchObject({ mode: 'classic', status: 'connected' });
    expect(JSON.parse(row?.tools ?? '[]')).toContain('search_wiki');
    expect((await fetch(nav.callbackUrl)).status).toBe(400);
  });
});

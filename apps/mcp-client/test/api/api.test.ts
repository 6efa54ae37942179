/**
 * The agent API the console drives (`/admin/agent/…`, guarded like every admin API) and the agent's
 * event feed, against the real IdP and servers. A console click carrying `traceparent` continues that
 * trace (docs/decisions.md §5: one user action, one trace across the parties).
 */
import { formatTraceparent, newTrace } from '@xaa/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
let token: string;

beforeAll(async () => {
  stack = await startStack({ servers: true });
  token = await stack.opsToken(stack.topology.agent.admin);
});
afterAll(async () => {
  await stack?.close();
});

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.agent.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes, asserted field by field
  return { status: res.status, body: (await res.json()) as any };
}

describe('agent API', () => {
  it('logs in, connects, calls and reports status; a traceparent is continued', async () => {
    expect((await api('POST', '/agent/login', { user: 'alice', app: 'acme-agent', headless: true })).body.outcome).toBe('ok');
    const trace = newTrace();
    const c = await api('POST', '/agent/connect', { servers: ['tasks', 'crm'] }, { traceparent: formatTraceparent(trace) });
    expect(c.status).toBe(200);
    expect(c.body.traceId).toBe(trace.traceId);
    expect(c.body.outcome).toBe('denied');
    expect(c.body.servers.map((s: { status: string }) => s.status)).toEqual(['connected', 'blocked']);
    // The IdP saw the same trace for the exchange it denied.
    expect(stack.idp.flowLog.recent({ traceId: trace.traceId }).some((e) => e.step.startsWith('exchange.'))).toBe(true);

    const call = await api('POST', '/agent/call', { server: 'tasks', tool: 'create_task', args: { title: 'From the console' } });
    expect(call.body.outcome, JSON.stringify(call.body.error)).toBe('ok');
    const status = await api('GET', '/agent/status');
    expect(status.body.session.user).toBe('alice');
    expect(status.body.connections.find((x: { server: string }) => x.server === 'crm').status).toBe('blocked by your organization');

    const events = await api('GET', `/events?traceId=${trace.traceId}`);
    expect(events.status).toBe(200);
    expect(events.body.events.map((e: { step: string }) => e.step)).toEqual(expect.arrayContaining(['exchange.request', 'bearer.request', 'mcp.request']));
  });

  it('connect with dpop: true binds the new token to the session key (RFC 9449), and a non-boolean dpop is a 400', async () => {
    expect((await api('POST', '/agent/login', { user: 'alice', app: 'acme-agent', headless: true })).body.outcome).toBe('ok');
    const c = await api('POST', '/agent/connect', { servers: ['docs'], dpop: true });
    expect(c.body.outcome, JSON.stringify(c.body.servers)).toBe('ok');
    const ex = (await api('GET', `/events?traceId=${c.body.traceId}`)).body.events.find((e: { step: string }) => e.step === 'exchange.request');
    expect(ex.tokens.find((t: { role: string }) => t.role === 'id_jag').claims.cnf.jkt).toBe(ex.data.dpop.jkt);
    expect((await api('POST', '/agent/call', { server: 'docs', tool: 'search_docs', args: { query: 'a' } })).body.outcome).toBe('ok');
    expect((await api('POST', '/agent/connect', { servers: ['docs'], dpop: 'yes' })).status).toBe(400);
  });

  it('answers bad input with 400 invalid_request naming the fields, never a 500', async () => {
    const cases: Array<[string, unknown]> = [
      ['/agent/connect', { servers: 'tasks' }],
      ['/agent/connect', { scope: 'a  b' }],
      ['/agent/connect', { servers: ['nope'] }],
      ['/agent/call', { server: 'tasks' }],
      ['/agent/call', { server: 'tasks', tool: 'list_tasks', args: [1] }],
      ['/agent/login', { app: 'acme-agent', user: 'alice', headless: 'yes' }],
      ['/agent/refresh', { extra: true }],
    ];
    for (const [path, body] of cases) {
      const r = await api('POST', path, body);
      expect(r.status, `${path} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error).toBe('invalid_request');
    }
    expect((await api('GET', '/agent/nothing')).status).toBe(404);
    expect((await api('DELETE', '/agent/login')).status).toBe(405);
  });

  it('refuses the events feed and the agent API without a token for this API', async () => {
    expect((await fetch(`${stack.agent.url}/admin/events`)).status).toBe(401);
    const idpToken = await stack.opsToken(stack.topology.idp.admin);
    expect((await fetch(`${stack.agent.url}/admin/agent/status`, { headers: { authorization: `Bearer ${idpToken}` } })).status).toBe(401);
  });
});

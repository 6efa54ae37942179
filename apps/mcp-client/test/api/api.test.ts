/**
 * The agent API the console drives (`/admin/agent/…`, guarded like every admin API) and the agent's
 * event feed, against the real IdP and servers. A console click carrying `traceparent` continues that
 * trace (docs/decisions.md §5: one user action, one trace across the parties).
 */
import { formatTraceparent, newTrace } from '@xaa/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start as startAgent } from '../../src/index.ts';
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

describe('servers added at run time (PUT /admin/agent/servers/{name})', () => {
  const theirs = {
    title: 'Their Tasks',
    resource: 'http://127.0.0.1:9/mcp',
    issuer: 'http://127.0.0.1:9',
    scopes: ['tasks.read'],
    registrations: { 'acme-agent': { client_id: 'acme-at-theirs', client_secret: 's3cret' } },
  };

  it('refuses bad input with 400 invalid_request naming the field, never a 500', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['theirs', { ...theirs, title: undefined }, 'title'],
      ['theirs', { ...theirs, resource: 'not a url' }, 'resource'],
      ['theirs', { ...theirs, issuer: 'http://127.0.0.1:9/' }, 'issuer'],
      ['theirs', { ...theirs, scopes: ['has space'] }, 'scopes.0'],
      ['theirs', { ...theirs, registrations: {} }, 'registrations'],
      ['theirs', { ...theirs, registrations: { 'acme-agent': { client_secret: 'x' } } }, 'registrations.acme-agent.client_id'],
      ['theirs', { ...theirs, extra: 1 }, ''],
      ['Not%20A%20Slug', theirs, 'name'],
      // An app the agent has no registration for at the IdP.
      ['theirs', { ...theirs, registrations: { 'no-such-app': { client_id: 'x' } } }, 'registrations.no-such-app'],
    ];
    for (const [name, body, field] of cases) {
      const r = await api('PUT', `/agent/servers/${name}`, body);
      expect(r.status, `${name} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error).toBe('invalid_request');
      if (field) expect(Object.keys(r.body.fields ?? {}), JSON.stringify(r.body)).toContain(field);
    }
    const raw = await fetch(`${stack.agent.url}/admin/agent/servers/theirs`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(raw.status).toBe(400);
    expect((await api('GET', '/agent/servers')).body.servers.some((s: { name: string }) => s.name === 'theirs')).toBe(false);
  });

  it('one name, one resource: a configured name or a known resource is a 409 conflict', async () => {
    const tasks = stack.topology.servers.find((s) => s.name === 'tasks');
    const a = await api('PUT', '/agent/servers/tasks', theirs);
    expect(a.status).toBe(409);
    expect(a.body.error).toBe('conflict');
    const b = await api('PUT', '/agent/servers/tasks-again', { ...theirs, resource: tasks?.resource, issuer: tasks?.issuer });
    expect(b.status).toBe(409);
    expect(b.body.error_description).toContain('"tasks"');
  });

  it('without an admin token for this API: 401, and nothing is learnt', async () => {
    const r = await fetch(`${stack.agent.url}/admin/agent/servers/theirs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(theirs),
    });
    expect(r.status).toBe(401);
    expect((await api('GET', '/agent/servers')).body.servers.some((s: { name: string }) => s.name === 'theirs')).toBe(false);
  });

  it('learns the server (201, then 200), lists it in the status without the secret, and keeps it across a restart', async () => {
    const put = await api('PUT', '/agent/servers/theirs', theirs);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect(put.body).toMatchObject({ name: 'theirs', resource: theirs.resource, issuer: theirs.issuer, added: true });
    expect(put.body.registrations).toEqual([{ app: 'acme-agent', client_id: 'acme-at-theirs' }]);
    expect((await api('PUT', '/agent/servers/theirs', { ...theirs, title: 'Theirs' })).status).toBe(200);
    const status = await api('GET', '/agent/status');
    const listed = status.body.servers.find((s: { name: string }) => s.name === 'theirs');
    expect(listed).toMatchObject({ title: 'Theirs', added: true });
    expect(JSON.stringify(status.body)).not.toContain('s3cret');
    expect(status.body.servers.find((s: { name: string }) => s.name === 'tasks').added).toBe(false);

    // The agent now tries it (its AS is unreachable here: an error outcome, not "unknown server").
    expect((await api('POST', '/agent/login', { user: 'alice', app: 'acme-agent', headless: true })).body.outcome).toBe('ok');
    const c = await api('POST', '/agent/connect', { servers: ['theirs'] });
    expect(c.status).toBe(200);
    expect(c.body.outcome).toBe('error');
    expect(c.body.servers[0].server).toBe('theirs');

    // Another agent process on the same client.db after this one stops: it still knows the server.
    await stack.agent.close();
    const again = await startAgent({ topology: stack.topology, dataDir: stack.dataDir, quiet: true, port: 0 });
    try {
      const res = await fetch(`${again.url}/admin/agent/status`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { servers: Array<{ name: string; added: boolean; registrations: unknown[] }> };
      expect(body.servers.find((s) => s.name === 'theirs')).toMatchObject({ added: true, registrations: [{ app: 'acme-agent', client_id: 'acme-at-theirs' }] });
      // Forgetting it: 204; a configured server cannot be forgotten (409); an unknown one is a 400.
      const del = (name: string) => fetch(`${again.url}/admin/agent/servers/${name}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      expect((await del('theirs')).status).toBe(204);
      expect((await del('tasks')).status).toBe(409);
      expect((await del('theirs')).status).toBe(400);
    } finally {
      await again.close();
    }
  });
});

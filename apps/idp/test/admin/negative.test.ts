/** Every admin endpoint answers bad input with a clear 4xx (docs/decisions.md §6: every endpoint has negative tests). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

const CASES: Array<[string, string, unknown, number, string?]> = [
  ['GET', '/admin/users/nobody', undefined, 404],
  ['POST', '/admin/users', { username: 'alice', email: 'a@acme.test', name: 'A', password: 'p' }, 409],
  ['POST', '/admin/users', { username: 'zed', email: 'not-an-email', name: 'Z', password: 'p' }, 400, 'email'],
  ['POST', '/admin/users', { username: 'zed', email: 'z@acme.test', name: 'Z', password: 'p', groups: ['nope'] }, 400, 'groups'],
  ['PATCH', '/admin/users/nobody', { name: 'x' }, 404],
  ['PATCH', '/admin/users/alice', { disabled: 'yes' }, 400, 'disabled'],
  ['DELETE', '/admin/users/nobody', undefined, 404],
  ['GET', '/admin/users/nobody/sessions', undefined, 404],
  ['POST', '/admin/users/nobody/revoke-sessions', {}, 404],
  ['POST', '/admin/users/alice/revoke-sessions', { why: 'x' }, 400, 'why'],
  ['GET', '/admin/users/nobody/effective-access', undefined, 404],
  ['GET', '/admin/sessions?user=nobody', undefined, 404],
  ['GET', '/admin/sessions?other=1', undefined, 400, 'other'],
  ['POST', '/admin/groups', { name: 'Bad Name', title: 'x' }, 400, 'name'],
  ['PATCH', '/admin/groups/nope', { title: 'x' }, 404],
  ['PATCH', '/admin/groups/engineering', { name: 'x' }, 400, 'name'],
  ['DELETE', '/admin/groups/nope', undefined, 404],
  ['GET', '/admin/apps/nope', undefined, 404],
  ['POST', '/admin/apps', { title: 'x', token_endpoint_auth_method: 'tls_client_auth' }, 400, 'token_endpoint_auth_method'],
  ['POST', '/admin/apps', { title: 'x', token_endpoint_auth_method: 'private_key_jwt' }, 400, 'jwks'],
  ['POST', '/admin/apps', { title: 'x', jwks: { keys: [{ kty: 'EC', d: 'secret' }] } }, 400, 'jwks.keys.0'],
  ['POST', '/admin/apps', { title: 'x', redirect_uris: ['javascript:alert(1)'] }, 400, 'redirect_uris.0'],
  ['POST', '/admin/apps', { title: 'x', registrations: { nope: 'id' } }, 400, 'registrations'],
  ['POST', '/admin/apps', { client_id: 'acme-agent', title: 'dup' }, 409],
  ['PATCH', '/admin/apps/nope', { title: 'x' }, 404],
  ['PATCH', '/admin/apps/acme-agent', { kind: 'ops' }, 400, 'kind'],
  ['PUT', '/admin/apps/acme-agent/registrations/nope', { client_id: 'x' }, 404],
  ['PUT', '/admin/apps/acme-agent/registrations/tasks', {}, 400, 'client_id'],
  ['DELETE', '/admin/apps/nope', undefined, 404],
  ['DELETE', '/admin/apps/xaa-console', undefined, 409],
  ['GET', '/admin/servers/nope', undefined, 404],
  ['POST', '/admin/servers', { name: 'tasks', title: 't', issuer: 'http://localhost:1', resource: 'http://localhost:1/mcp', scopes: [] }, 409],
  // A second server at the seeded Tasks issuer (read from the running topology).
  [
    'POST',
    '/admin/servers',
    (tasks: { issuer: string; resource: string }) => ({ name: 'dup', title: 't', issuer: tasks.issuer, resource: tasks.resource, scopes: [] }),
    409,
  ],
  ['POST', '/admin/servers', { name: 'q', title: 't', issuer: 'http://localhost:1?x=1', resource: 'http://localhost:1/mcp#f', scopes: [] }, 400, 'issuer'],
  ['PATCH', '/admin/servers/nope', { title: 'x' }, 404],
  ['PATCH', '/admin/servers/tasks', { scopes: 'tasks.read' }, 400, 'scopes'],
  ['DELETE', '/admin/servers/nope', undefined, 404],
  ['GET', '/admin/connections?client_id=Bad Id', undefined, 400, 'client_id'],
  ['POST', '/admin/connections', { client_id: 'nope', server: 'tasks', scopes: ['tasks.read'], audience: { kind: 'all' } }, 400, 'client_id'],
  ['POST', '/admin/connections', { client_id: 'ops', server: 'tasks', scopes: ['tasks.read'], audience: { kind: 'all' } }, 400, 'client_id'],
  ['POST', '/admin/connections', { client_id: 'acme-chat', server: 'nope', scopes: ['x'], audience: { kind: 'all' } }, 400, 'server'],
  ['POST', '/admin/connections', { client_id: 'acme-chat', server: 'tasks', scopes: [], audience: { kind: 'all' } }, 400, 'scopes'],
  ['POST', '/admin/connections', { client_id: 'acme-chat', server: 'tasks', scopes: ['tasks.read'], audience: { kind: 'everyone' } }, 400, 'audience.kind'],
  [
    'POST',
    '/admin/connections',
    { client_id: 'acme-chat', server: 'tasks', scopes: ['tasks.read'], audience: { kind: 'groups', groups: ['nope'] } },
    400,
    'audience.groups',
  ],
  ['POST', '/admin/connections', { client_id: 'acme-chat', server: 'tasks', scopes: ['tasks.read'], audience: { kind: 'all' }, ttl: 999999 }, 400, 'ttl'],
  ['PATCH', '/admin/connections/nope', { enabled: false }, 404],
  ['PATCH', '/admin/connections/conn_acme-agent_tasks', { server: 'docs' }, 400, 'server'],
  ['DELETE', '/admin/connections/nope', undefined, 404],
  ['POST', '/admin/keys/rotate', { alg: 'none' }, 400, 'alg'],
  ['POST', '/admin/simulate', { user: 'nobody', app: 'acme-agent', server: 'tasks' }, 400, 'user'],
  ['POST', '/admin/simulate', { user: 'alice', app: 'nope', server: 'tasks' }, 400, 'app'],
  ['POST', '/admin/simulate', { user: 'alice', app: 'acme-agent', server: 'nope' }, 400, 'server'],
  ['POST', '/admin/simulate', { user: 'alice', app: 'acme-agent', server: 'tasks', scopes: 'tasks.read' }, 400, 'scopes'],
  ['GET', '/admin/audit?format=xml', undefined, 400, 'format'],
  ['GET', '/admin/audit?from=yesterday', undefined, 400, 'from'],
  ['GET', '/admin/audit?limit=0', undefined, 400, 'limit'],
  ['PUT', '/admin/users', {}, 405],
];

it.each(CASES)('%s %s → %i', async (method, path, body, status, field) => {
  const tasks = t.topology.servers.find((x) => x.name === 'tasks');
  const r = await t.admin(method, path, typeof body === 'function' ? body(tasks) : body);
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(typeof r.body?.error).toBe('string');
  if (field) expect(Object.keys(r.body.fields ?? {}), JSON.stringify(r.body)).toContain(field);
  if (status === 405) expect(r.headers.get('allow')).toContain('GET');
});

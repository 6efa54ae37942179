/**
 * The admin API (docs/contracts.md "Admin APIs"): guarded by IdP-issued RFC 9068 access tokens for
 * `<origin>/admin` with scope `xaa:admin`; JSON with strict validation; OpenAPI described.
 */
import { ADMIN_SCOPE } from '@xaa/protocol';
import { ssoLogin } from '@xaa/user-agent';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededUserId } from '../../src/index.ts';
import { eventsSince, lastEventId, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
let ops: string;

beforeAll(async () => {
  t = await startTestIdp();
  ops = await t.opsToken();
});
afterAll(async () => t?.close());

async function consoleLogin(username: string, resources: string[]) {
  const c = t.topology.console.client;
  return ssoLogin({
    issuer: t.idp.issuer,
    clientId: c.client_id,
    clientSecret: c.client_secret,
    redirectUri: c.redirect_uris[0] as string,
    username,
    password: 'demo',
    scope: `openid offline_access profile ${ADMIN_SCOPE}`,
    resources,
    tokenResource: resources[0] as string,
  });
}

const ROUTES: Array<[string, string]> = [
  ['GET', '/admin/users'],
  ['GET', '/admin/users/alice'],
  ['POST', '/admin/users'],
  ['PATCH', '/admin/users/alice'],
  ['POST', '/admin/users/alice/revoke-sessions'],
  ['GET', '/admin/users/alice/effective-access'],
  ['GET', '/admin/groups'],
  ['GET', '/admin/apps'],
  ['POST', '/admin/apps'],
  ['GET', '/admin/servers'],
  ['GET', '/admin/connections'],
  ['POST', '/admin/connections'],
  ['GET', '/admin/sessions'],
  ['GET', '/admin/keys'],
  ['POST', '/admin/keys/rotate'],
  ['GET', '/admin/audit'],
  ['POST', '/admin/simulate'],
  ['GET', '/admin/events'],
  ['GET', '/admin/events/stream'],
  ['GET', '/admin/nope'],
  ['GET', '/admin'],
];

describe('authentication and authorization (docs/decisions.md §1)', () => {
  it('nothing under /admin answers anonymously', async () => {
    for (const [method, path] of ROUTES) {
      const r = await t.admin(method, path, method === 'GET' ? undefined : {}, '');
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
  });

  it('rejects a garbage token and a token for another admin API (aud)', async () => {
    expect((await t.admin('GET', '/admin/users', undefined, 'not.a.jwt')).status).toBe(401);
    const other = await t.opsToken(serverOf(t.topology, 'tasks').admin);
    expect((await t.admin('GET', '/admin/users', undefined, other)).status).toBe(401);
  });

  it('the ops client gets an RFC 9068 JWT for any admin API by client_credentials', async () => {
    const header = decodeProtectedHeader(ops);
    expect(header.typ).toBe('at+jwt');
    const { payload } = await jwtVerify(ops, createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`)), {
      issuer: t.idp.issuer,
      audience: t.idp.admin,
      typ: 'at+jwt',
    });
    expect(payload.scope).toBe(ADMIN_SCOPE);
    expect(payload.client_id).toBe('ops');
    for (const resource of t.idp.adminResources) {
      const tok = await t.opsToken(resource);
      expect((await jwtVerify(tok, createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`)), { audience: resource })).payload.scope).toBe(ADMIN_SCOPE);
    }
    expect((await t.admin('GET', '/admin/users', undefined, ops)).status).toBe(200);
  });

  it('an unknown resource indicator is invalid_target; an app client cannot get admin tokens', async () => {
    const r = await t.token(
      { grant_type: 'client_credentials', resource: 'http://localhost:1/admin', scope: ADMIN_SCOPE },
      { authorization: `Basic ${Buffer.from(`ops:${t.topology.ops.client_secret}`).toString('base64')}` },
    );
    expect(r.body.error).toBe('invalid_target');
    // RFC 6749 §5.2: an app is not registered for client_credentials.
    const app = await t.token(
      { grant_type: 'client_credentials', resource: t.idp.admin, scope: ADMIN_SCOPE },
      { authorization: `Basic ${Buffer.from('acme-agent:agent-secret').toString('base64')}` },
    );
    expect(app.body.error).toBe('unauthorized_client');
    expect(app.headers.get('cache-control')).toContain('no-store');
  });

  it('carol (IT admin) signs in to the console and gets admin tokens for every app, via code and refresh', async () => {
    const tasks = serverOf(t.topology, 'tasks');
    const { tokens, tokenEndpoint } = await consoleLogin('carol', [t.idp.admin, tasks.admin, t.topology.console.admin]);
    const jwks = createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { audience: t.idp.admin, typ: 'at+jwt' });
    expect(payload.scope).toBe(ADMIN_SCOPE);
    expect(payload.sub).toBe(seededUserId('carol'));
    expect((await t.admin('GET', '/admin/users', undefined, tokens.access_token)).status).toBe(200);
    // Another app's admin API: the console asks for it at the token endpoint with the refresh token.
    const c = t.topology.console.client;
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string, resource: tasks.admin }),
    });
    const body = (await res.json()) as { access_token: string };
    expect(res.status).toBe(200);
    const other = await jwtVerify(body.access_token, jwks, { audience: tasks.admin, typ: 'at+jwt' });
    expect(other.payload.scope).toBe(ADMIN_SCOPE);
  });

  it('a non-admin user (alice) signed in through the console gets 403', async () => {
    const { tokens } = await consoleLogin('alice', [t.idp.admin]);
    const r = await t.admin('GET', '/admin/users', undefined, tokens.access_token);
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('insufficient_scope');
  });
});

describe('validation (400 with a fields map, 415, 404, 409)', () => {
  it('unknown JSON fields are a 400 naming them', async () => {
    const r = await t.admin('PATCH', '/admin/users/alice', { name: 'Alice', is_root: true });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'invalid_request', fields: { is_root: 'Unknown field.' } });
  });

  it('bad values are named in fields', async () => {
    const r = await t.admin('POST', '/admin/servers', { name: 'Bad Name', title: 'x', issuer: 'http://x/', resource: 'nope', scopes: ['a b'] });
    expect(r.status).toBe(400);
    expect(Object.keys(r.body.fields)).toEqual(expect.arrayContaining(['name', 'issuer', 'resource', 'scopes.0']));
  });

  it('malformed JSON is a 400, a non-JSON body a 415, an oversized one a 413', async () => {
    expect((await t.admin('POST', '/admin/users', '{"username": ')).status).toBe(400);
    const form = await fetch(`${t.idp.issuer}/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=x',
    });
    expect(form.status).toBe(415);
    expect((await t.admin('POST', '/admin/users', { username: 'big', email: 'b@x.test', name: 'x'.repeat(200_000), password: 'p' })).status).toBe(413);
  });

  it('unknown ids are 404 and duplicates 409; SQL-looking ids are just unknown', async () => {
    expect((await t.admin('GET', "/admin/users/' OR 1=1 --")).status).toBe(404);
    expect((await t.admin('GET', '/admin/connections/nope')).status).toBe(404);
    expect((await t.admin('POST', '/admin/groups', { name: 'engineering', title: 'Again' })).status).toBe(409);
  });
});

describe('resources', () => {
  it('lists the seeded world', async () => {
    const users = (await t.admin('GET', '/admin/users')).body.users as Array<{ username: string }>;
    expect(users.map((u) => u.username)).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(JSON.stringify(users)).not.toContain('scrypt');
    const apps = (await t.admin('GET', '/admin/apps')).body.apps as Array<{ client_id: string; registrations: Record<string, string> }>;
    expect(apps.find((a) => a.client_id === 'acme-agent')?.registrations.tasks).toBe('acme-agent-at-tasks');
    const servers = (await t.admin('GET', '/admin/servers')).body.servers as Array<{ name: string }>;
    expect(servers.map((s) => s.name)).toEqual(['crm', 'docs', 'tasks', 'wiki']);
    const conns = (await t.admin('GET', '/admin/connections?client_id=acme-agent')).body.connections as unknown[];
    expect(conns).toHaveLength(2);
  });

  it('creates a user, a group, an app, a server and a connection, recording admin.change', async () => {
    const mark = lastEventId(t.idp);
    expect((await t.admin('POST', '/admin/groups', { name: 'qa', title: 'QA' })).status).toBe(201);
    const user = await t.admin('POST', '/admin/users', { username: 'erin', email: 'erin@acme.test', name: 'Erin', password: 'pw', groups: ['qa'] });
    expect(user.status).toBe(201);
    expect(user.body.groups).toEqual(['qa']);
    const server = await t.admin('POST', '/admin/servers', {
      name: 'billing',
      title: 'Billing',
      issuer: 'http://localhost:4999',
      resource: 'http://localhost:4999/mcp',
      scopes: ['billing.read'],
    });
    expect(server.status).toBe(201);
    const app = await t.admin('POST', '/admin/apps', {
      title: 'QA Bot',
      redirect_uris: ['http://localhost:4200/callback'],
      registrations: { billing: 'qa-bot-at-billing' },
    });
    expect(app.status).toBe(201);
    expect(app.body.client_secret).toBeTruthy();
    const conn = await t.admin('POST', '/admin/connections', {
      client_id: app.body.client_id,
      server: 'billing',
      scopes: ['billing.read'],
      audience: { kind: 'groups', groups: ['qa'] },
    });
    expect(conn.status).toBe(201);
    expect(conn.body).toMatchObject({ ttl: 300, enabled: true, client_id_at_server: 'qa-bot-at-billing', issuer: 'http://localhost:4999' });
    const bad = await t.admin('POST', '/admin/connections', {
      client_id: app.body.client_id,
      server: 'billing',
      scopes: ['tasks.read'],
      audience: { kind: 'all' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.fields.scopes).toBeTruthy();
    const changes = eventsSince(t.idp, mark, 'admin.change');
    expect(changes.length).toBeGreaterThanOrEqual(5);
    expect(changes[0]?.summary).toMatch(/^ops: /);
  });

  it('simulates a decision without minting anything', async () => {
    const mark = lastEventId(t.idp);
    const allow = await t.admin('POST', '/admin/simulate', { user: 'alice', app: 'acme-agent', server: 'tasks', scopes: ['tasks.read', 'crm.read'] });
    expect(allow.status).toBe(200);
    expect(allow.body.decision).toMatchObject({ effect: 'allow', rule: 'connection:conn_acme-agent_tasks', grantedScopes: ['tasks.read'], narrowed: true });
    expect(allow.body.claims).toMatchObject({
      aud: serverOf(t.topology, 'tasks').issuer,
      client_id: 'acme-agent-at-tasks',
      scope: 'tasks.read',
      sub: seededUserId('alice'),
    });
    expect(allow.body.trace.length).toBeGreaterThan(3);
    const deny = await t.admin('POST', '/admin/simulate', { user: 'bob', app: 'acme-agent', server: 'tasks' });
    expect(deny.body).toMatchObject({ decision: { effect: 'deny', code: 'access_denied' }, claims: null, error: { error: 'access_denied' } });
    expect(eventsSince(t.idp, mark).filter((e) => e.step.startsWith('exchange.'))).toHaveLength(0);
  });

  it("shows a user's effective access: servers, scopes, through which app, and why", async () => {
    const r = await t.admin('GET', '/admin/users/alice/effective-access');
    expect(r.status).toBe(200);
    const access = r.body.access as Array<{ app: string; server: string; scopes: string[]; rule: string }>;
    expect(access).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ app: 'acme-agent', server: 'tasks', scopes: ['tasks.read', 'tasks.write'], rule: 'connection:conn_acme-agent_tasks' }),
        expect.objectContaining({ app: 'acme-chat', server: 'docs', scopes: ['docs.read'] }),
      ]),
    );
    const bob = await t.admin('GET', '/admin/users/bob/effective-access');
    expect((bob.body.access as Array<{ server: string }>).map((a) => a.server)).not.toContain('tasks');
    expect((bob.body.denied as Array<{ server: string; code: string }>).find((d) => d.server === 'tasks')?.code).toBe('access_denied');
  });

  it('searches and exports the audit trail without usable tokens', async () => {
    const alice = await t.login('alice');
    const tasks = serverOf(t.topology, 'tasks');
    const ok = await t.exchange('acme-agent', { subject_token: alice.id_token, audience: tasks.issuer });
    expect(ok.status).toBe(200);
    const jag = String(ok.body.access_token);
    const decisions = await t.admin('GET', '/admin/audit?step=exchange.decision&user=alice&limit=5');
    expect(decisions.status).toBe(200);
    expect(decisions.body.events[0].decision.effect).toBe('allow');
    const all = await t.admin('GET', '/admin/audit?limit=5000');
    const text = JSON.stringify(all.body);
    expect(text).not.toContain(jag);
    expect(text).not.toContain(alice.id_token);
    const csv = await fetch(`${t.idp.issuer}/admin/audit?format=csv&step=exchange.issued`, { headers: { authorization: `Bearer ${ops}` } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^id,time,traceId/);
    expect(lines.length).toBeGreaterThan(1);
    const json = await fetch(`${t.idp.issuer}/admin/audit?format=json&limit=3`, { headers: { authorization: `Bearer ${ops}` } });
    expect(json.headers.get('content-disposition')).toContain('idp-audit.json');
    expect(Array.isArray(await json.json())).toBe(true);
    expect((await t.admin('GET', '/admin/audit?traceId=nope')).status).toBe(400);
    expect((await t.admin('GET', '/admin/audit?unknown=1')).status).toBe(400);
  });

  it('serves recent events and the SSE stream to admins', async () => {
    const r = await t.admin('GET', '/admin/events?limit=3');
    expect(r.status).toBe(200);
    expect(r.body.events.length).toBeLessThanOrEqual(3);
    const ac = new AbortController();
    const res = await fetch(`${t.idp.issuer}/admin/events/stream`, { headers: { authorization: `Bearer ${ops}` }, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    ac.abort();
  });

  it('publishes an OpenAPI document describing every route', async () => {
    const res = await fetch(`${t.idp.issuer}/admin/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const p of ['/admin/users', '/admin/connections/{id}', '/admin/simulate', '/admin/keys/rotate', '/admin/audit', '/admin/users/{id}/effective-access'])
      expect(doc.paths[p], p).toBeTruthy();
    expect(doc.paths['/admin/connections']?.post?.requestBody).toBeTruthy();
  });
});

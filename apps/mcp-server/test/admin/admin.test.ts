/**
 * The admin API of a server origin (docs/decisions.md §2; docs/contracts.md): IdP-issued admin tokens only,
 * zod-validated bodies with unknown fields refused, trusted IdPs, settings, clients, users, events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('authentication', () => {
  it('no token → 401; a token for another origin’s admin API → 401; a user access token → 401', async () => {
    expect((await stack.admin('tasks', 'GET', '/admin/settings', undefined, '')).status).toBe(401);
    const docsAdmin = await stack.adminToken('docs');
    expect((await stack.admin('tasks', 'GET', '/admin/settings', undefined, docsAdmin)).status).toBe(401);
    const at = await stack.accessToken('alice', 'tasks');
    expect((await stack.admin('tasks', 'GET', '/admin/settings', undefined, at)).status).toBe(401);
  });
  it('an unknown admin path is a 401 without a token (no route discovery), a JSON 404 with one', async () => {
    for (const path of ['/admin/nope', '/admin/settings/x', '/admin/events/../users']) {
      const anon = await stack.admin('tasks', 'GET', path, undefined, '');
      expect(anon.status).toBe(401);
    }
    const authed = await stack.admin('tasks', 'GET', '/admin/nope');
    expect(authed.status).toBe(404);
    expect(authed.body.error).toBeTypeOf('string');
  });
  it('the ops token for this origin works', async () => {
    const r = await stack.admin('tasks', 'GET', '/admin');
    expect(r.status).toBe(200);
    expect(r.body.server).toMatchObject({ name: 'tasks', xaa: true });
  });
});

describe('trusted IdPs ("Configure XAA")', () => {
  it('lists the seeded IdP; add, update, remove; validation errors name the field', async () => {
    const list = await stack.admin('tasks', 'GET', '/admin/trusted-issuers');
    expect(list.body.trusted_issuers.map((t: { issuer: string }) => t.issuer)).toEqual([stack.topology.idp.issuer]);
    const bad = await stack.admin('tasks', 'POST', '/admin/trusted-issuers', { issuer: 'ftp://x', jwks_uri: 'http://evil.example/jwks', color: 'red' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.fields).sort()).toEqual(['color', 'issuer', 'jwks_uri']);
    const add = await stack.admin('tasks', 'POST', '/admin/trusted-issuers', {
      issuer: 'https://idp.partner.example',
      jwks_uri: 'https://idp.partner.example/jwks',
    });
    expect(add.status).toBe(201);
    expect(
      (await stack.admin('tasks', 'POST', '/admin/trusted-issuers', { issuer: 'https://idp.partner.example', jwks_uri: 'https://idp.partner.example/jwks' }))
        .status,
    ).toBe(409);
    const enc = encodeURIComponent('https://idp.partner.example');
    const upd = await stack.admin('tasks', 'PATCH', `/admin/trusted-issuers/${enc}`, { algorithms: ['RS256'], enabled: false });
    expect(upd.body).toMatchObject({ algorithms: ['RS256'], enabled: false });
    expect((await stack.admin('tasks', 'PATCH', `/admin/trusted-issuers/${enc}`, { issuer: 'x' })).status).toBe(400);
    expect((await stack.admin('tasks', 'DELETE', `/admin/trusted-issuers/${enc}`)).status).toBe(204);
    expect((await stack.admin('tasks', 'DELETE', `/admin/trusted-issuers/${enc}`)).status).toBe(404);
  });
  it('removing the IdP stops its ID-JAGs (invalid_grant, untrusted issuer)', async () => {
    const jag = await stack.idJag(await stack.idToken('alice'), 'crm', { scope: 'crm.read' }).catch(() => undefined);
    // The seeded IdP policy does not connect Acme Agent to CRM; use Docs instead.
    void jag;
    const idp = encodeURIComponent(stack.topology.idp.issuer);
    expect((await stack.admin('docs', 'PATCH', `/admin/trusted-issuers/${idp}`, { enabled: false })).status).toBe(200);
    const r = await stack.redeem('docs', await stack.idJag(await stack.idToken('alice'), 'docs'));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
    expect((await stack.admin('docs', 'PATCH', `/admin/trusted-issuers/${idp}`, { enabled: true })).status).toBe(200);
    expect((await stack.redeem('docs', await stack.idJag(await stack.idToken('alice'), 'docs'))).status).toBe(200);
  });
  it('Wiki does not redeem ID-JAGs, so it takes no trusted IdP', async () => {
    expect((await stack.admin('wiki', 'POST', '/admin/trusted-issuers', { issuer: 'https://idp.example', jwks_uri: 'https://idp.example/jwks' })).status).toBe(
      409,
    );
  });
});

describe('settings, clients, users, data, events', () => {
  it('settings: access-token lifetime applies to the next token; bad values are 400', async () => {
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { access_token_ttl: 5 })).status).toBe(400);
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { unknown: true })).status).toBe(400);
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { access_token_ttl: 120 })).body.access_token_ttl).toBe(120);
    const jag = await stack.idJag(await stack.idToken('alice'), 'tasks');
    expect((await stack.redeem('tasks', jag)).body.expires_in).toBe(120);
    expect((await stack.admin('tasks', 'PATCH', '/admin/settings', { access_token_ttl: 300 })).status).toBe(200);
  });
  it('clients: seeded registrations are listed without secrets; create and delete', async () => {
    const list = await stack.admin('tasks', 'GET', '/admin/clients');
    const ids = list.body.clients.map((c: { client_id: string }) => c.client_id);
    expect(ids).toEqual(expect.arrayContaining(['acme-agent-at-tasks', 'acme-chat-at-tasks', 'shadow-agent-at-tasks']));
    for (const c of list.body.clients) expect(c.client_secret).toBeUndefined();
    const created = await stack.admin('tasks', 'POST', '/admin/clients', { client_name: 'Ops Bot', grant_types: ['client_credentials'] });
    expect(created.status).toBe(201);
    expect(created.body.client_secret).toBeTruthy();
    expect((await stack.admin('tasks', 'POST', '/admin/clients', { client_name: 'X', grant_types: ['implicit'] })).status).toBe(400);
    expect(
      (await stack.admin('wiki', 'POST', '/admin/clients', { client_name: 'X', grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] })).status,
    ).toBe(400);
    expect((await stack.admin('tasks', 'DELETE', `/admin/clients/${created.body.client_id}`)).status).toBe(204);
    expect((await stack.admin('tasks', 'DELETE', `/admin/clients/${created.body.client_id}`)).status).toBe(404);
  });
  it('users, tool-data reset and events', async () => {
    const users = await stack.admin('tasks', 'GET', '/admin/users');
    expect(users.body.users.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'dave']));
    expect((await stack.admin('tasks', 'POST', '/admin/data/reset')).body.reset).toBe(true);
    const events = await stack.admin('tasks', 'GET', '/admin/events?limit=500');
    expect(events.body.events.some((e: { step: string }) => e.step === 'admin.change')).toBe(true);
    expect(JSON.stringify(events.body)).not.toContain('client_secret=');
    expect((await stack.admin('tasks', 'POST', '/admin/settings', '{not json')).status).toBeGreaterThanOrEqual(400);
  });
});

describe('live event stream (SSE)', () => {
  it('streams flow events as they happen, honouring the admin token', async () => {
    const s = stack.server('tasks');
    expect((await fetch(`${s.issuer}/admin/events/stream`)).status).toBe(401);
    const ctl = new AbortController();
    const res = await fetch(`${s.issuer}/admin/events/stream`, { headers: { authorization: `Bearer ${await stack.adminToken('tasks')}` }, signal: ctl.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    await stack.admin('tasks', 'PATCH', '/admin/settings', { generic_errors: false });
    let text = '';
    const deadline = Date.now() + 10_000;
    while (!text.includes('event: flow') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctl.abort();
    expect(text).toContain('event: flow');
    expect(text).toContain('admin.change');
  });
});

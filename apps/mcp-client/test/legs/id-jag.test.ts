/**
 * Leg 2 against the real IdP and its seeded policy (docs/decisions.md §3): Acme Agent → Tasks (engineering, IT)
 * and Docs (everyone); Acme Chat → Docs read-only; Shadow Agent → nothing. Refusals come back as data
 * with the IdP's code and description (docs/decisions.md §4: `access_denied` names the rule).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestIdJag } from '../../src/legs/id-jag.ts';
import { type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
const idTokens: Record<string, string> = {};

beforeAll(async () => {
  stack = await startStack();
  for (const [user, app] of [
    ['alice', 'acme-agent'],
    ['bob', 'acme-agent'],
    ['alice', 'shadow-agent'],
    ['dave', 'acme-chat'],
  ] as const) {
    const r = await stack.agent.agent.login({ user, app, headless: true });
    if (r.outcome !== 'ok') throw new Error(`login ${user}/${app}: ${JSON.stringify(r.error)}`);
    idTokens[`${user}/${app}`] = stack.agent.agent.store.getSession(user, app)?.id_token as string;
  }
});
afterAll(async () => {
  await stack?.close();
});

function exchange(user: string, app: string, server: string, scope?: string) {
  const t = stack.topology;
  const s = t.servers.find((x) => x.name === server);
  const c = t.clients.find((x) => x.name === app);
  if (!s || !c) throw new Error('bad fixture');
  return requestIdJag(fetch, {
    tokenEndpoint: `${t.idp.issuer}/token`,
    audience: s.issuer,
    resource: s.resource,
    scope: scope ?? s.scopes.join(' '),
    idToken: idTokens[`${user}/${app}`] as string,
    clientId: c.idp.client_id,
    clientSecret: c.idp.client_secret,
  });
}

describe('leg 2: token exchange for an ID-JAG (draft-04 §4.3)', () => {
  it('mints an ID-JAG for alice via Acme Agent at Tasks and Docs', async () => {
    for (const server of ['tasks', 'docs']) {
      const r = await exchange('alice', 'acme-agent', server);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) expect(r.jti).toBeTruthy();
    }
  });

  it('denies Acme Agent at CRM with access_denied and the reason (docs/decisions.md §4)', async () => {
    const r = await exchange('alice', 'acme-agent', 'crm');
    expect(r).toMatchObject({ ok: false, kind: 'denied', code: 'access_denied' });
    if (!r.ok) expect(r.description.length).toBeGreaterThan(0);
  });

  it('denies bob (contractor) at Tasks, allows him at Docs', async () => {
    expect(await exchange('bob', 'acme-agent', 'tasks')).toMatchObject({ ok: false, kind: 'denied', code: 'access_denied' });
    expect((await exchange('bob', 'acme-agent', 'docs')).ok).toBe(true);
  });

  it('denies Shadow Agent everywhere', async () => {
    for (const server of ['tasks', 'docs', 'crm']) {
      const r = await exchange('alice', 'shadow-agent', server);
      expect(r.ok, `${server}: ${JSON.stringify(r)}`).toBe(false);
      if (!r.ok) expect(r.kind).toBe('denied');
    }
  });

  it('narrows Acme Chat at Docs to docs.read silently (RFC 8693 §2.2.1 scope)', async () => {
    const r = await exchange('dave', 'acme-chat', 'docs', 'docs.read docs.write');
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect(r.scope).toBe('docs.read');
  });

  it('reports a rejected subject token apart from a denial (invalid_grant)', async () => {
    const t = stack.topology;
    const s = t.servers[0];
    const c = t.clients[0];
    if (!s || !c) throw new Error('bad fixture');
    const r = await requestIdJag(fetch, {
      tokenEndpoint: `${t.idp.issuer}/token`,
      audience: s.issuer,
      resource: s.resource,
      idToken: `${idTokens['alice/acme-agent']?.slice(0, -4)}AAAA`,
      clientId: c.idp.client_id,
      clientSecret: c.idp.client_secret,
    });
    expect(r).toMatchObject({ ok: false, kind: 'subject_token_rejected', code: 'invalid_grant' });
  });
});

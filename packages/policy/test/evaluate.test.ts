import { describe, expect, it } from 'vitest';
import { type Connection, evaluate, resolveTarget, staticDirectory } from '../src/index.ts';

const tasks = { name: 'tasks', title: 'Tasks', issuer: 'http://as.tasks', resources: ['http://as.tasks/mcp'], scopes: ['tasks.read', 'tasks.write'] };
const docs = { name: 'docs', title: 'Docs', issuer: 'http://as.docs', resources: ['http://as.docs/mcp'], scopes: ['docs.read', 'docs.write'] };

const directory = staticDirectory({
  users: [
    { id: 'u-alice', username: 'alice', groups: ['engineering'], disabled: false },
    { id: 'u-bob', username: 'bob', groups: ['contractors'], disabled: false },
    { id: 'u-eve', username: 'eve', groups: ['engineering'], disabled: true },
  ],
  clients: [
    { client_id: 'agent', title: 'Agent', disabled: false },
    { client_id: 'shadow', title: 'Shadow', disabled: false },
    { client_id: 'off', title: 'Off', disabled: true },
  ],
  servers: [tasks, docs],
});

const conn = (over: Partial<Connection> = {}): Connection => ({
  id: 'c1',
  client: 'agent',
  server: 'tasks',
  issuer: tasks.issuer,
  resource: tasks.resources[0] as string,
  remote_client_id: 'agent-at-tasks',
  scopes: ['tasks.read', 'tasks.write'],
  audience: { kind: 'groups', groups: ['engineering'] },
  ttl: 300,
  enabled: true,
  ...over,
});

const req = { user: 'u-alice', client: 'agent', audience: tasks.issuer, resource: tasks.resources[0] as string };
const now = 1_800_000_000;

describe('evaluate (docs/decisions.md §4, EMA §7.6.1)', () => {
  it('allows and grants every allowed scope when scope is omitted', () => {
    const d = evaluate(req, [conn()], directory, now);
    expect(d.effect).toBe('allow');
    if (d.effect !== 'allow') return;
    expect(d.rule).toBe('connection:c1');
    expect(d.grantedScopes).toEqual(['tasks.read', 'tasks.write']);
    expect(d.narrowed).toBe(false);
    expect(d.connection.remote_client_id).toBe('agent-at-tasks');
    expect(d.trace.map((t) => t.check)).toEqual([
      'target.audience',
      'target.resource',
      'client.enabled',
      'user.enabled',
      'connection.exists',
      'connection.enabled',
      'connection.audience',
      'connection.scope',
    ]);
  });

  it('narrows a partial request silently to the intersection (RFC 6749 §3.3)', () => {
    const d = evaluate({ ...req, scopes: ['tasks.read', 'tasks.admin'] }, [conn({ scopes: ['tasks.read'] })], directory, now);
    expect(d).toMatchObject({ effect: 'allow', grantedScopes: ['tasks.read'], narrowed: true });
  });

  it('invalid_scope when none of the requested scopes is allowed', () => {
    const d = evaluate({ ...req, scopes: ['tasks.write'] }, [conn({ scopes: ['tasks.read'] })], directory, now);
    expect(d).toMatchObject({ effect: 'deny', code: 'invalid_scope', rule: 'connection:c1:scope' });
  });

  it('invalid_target for an unknown audience', () => {
    const d = evaluate({ ...req, audience: 'http://nowhere' }, [conn()], directory, now);
    expect(d).toMatchObject({ effect: 'deny', code: 'invalid_target', rule: 'target:unknown_audience' });
  });

  it('invalid_target when (audience, resource) is not a registered pair', () => {
    const d = evaluate({ ...req, resource: docs.resources[0] as string }, [conn()], directory, now);
    expect(d).toMatchObject({ effect: 'deny', code: 'invalid_target', rule: 'target:resource_not_paired' });
  });

  it('compares issuers byte for byte (trailing slash is another issuer)', () => {
    expect(resolveTarget(`${tasks.issuer}/`, undefined, [tasks]).ok).toBe(false);
  });

  it('uses the server resource when resource is omitted', () => {
    const d = evaluate({ user: 'u-alice', client: 'agent', audience: tasks.issuer }, [conn()], directory, now);
    expect(d).toMatchObject({ effect: 'allow', resource: tasks.resources[0] });
  });

  it('access_denied without a connection, naming the rule', () => {
    const d = evaluate({ ...req, client: 'shadow' }, [conn()], directory, now);
    expect(d).toMatchObject({ effect: 'deny', code: 'access_denied', rule: 'no_connection' });
  });

  it('access_denied for a user outside the audience, without leaking groups to the caller', () => {
    const d = evaluate({ ...req, user: 'u-bob' }, [conn()], directory, now);
    expect(d).toMatchObject({ effect: 'deny', code: 'access_denied', rule: 'connection:c1:audience' });
    if (d.effect !== 'deny') return;
    expect(d.description).not.toContain('contractors');
    expect(d.description).not.toContain('engineering');
    expect(d.reasons.join(' ')).toContain('contractors');
  });

  it('access_denied for a disabled connection', () => {
    expect(evaluate(req, [conn({ enabled: false })], directory, now)).toMatchObject({ effect: 'deny', code: 'access_denied', rule: 'connection:c1:disabled' });
  });

  it('access_denied for a disabled user', () => {
    expect(evaluate({ ...req, user: 'u-eve' }, [conn()], directory, now)).toMatchObject({ effect: 'deny', code: 'access_denied', rule: 'user:disabled' });
  });

  it('unauthorized_client for a disabled client', () => {
    expect(evaluate({ ...req, client: 'off' }, [conn({ client: 'off' })], directory, now)).toMatchObject({ effect: 'deny', code: 'unauthorized_client' });
  });

  it('honours a validity window with the injected clock', () => {
    const windowed = conn({ not_before: now + 10, not_after: now + 20 });
    expect(evaluate(req, [windowed], directory, now).effect).toBe('deny');
    expect(evaluate(req, [windowed], directory, now + 15).effect).toBe('allow');
    expect(evaluate(req, [windowed], directory, now + 20).effect).toBe('deny');
  });

  it('audience by named users, by id or username', () => {
    expect(evaluate({ ...req, user: 'u-bob' }, [conn({ audience: { kind: 'users', users: ['bob'] } })], directory, now).effect).toBe('allow');
    expect(evaluate(req, [conn({ audience: { kind: 'users', users: ['u-bob'] } })], directory, now).effect).toBe('deny');
  });

  it('with several connections, the first one that admits the user decides', () => {
    const d = evaluate({ ...req, user: 'u-bob' }, [conn(), conn({ id: 'c2', audience: { kind: 'all' }, scopes: ['tasks.read'] })], directory, now);
    expect(d).toMatchObject({ effect: 'allow', rule: 'connection:c2', grantedScopes: ['tasks.read'] });
  });

  it('step-up: a connection with max_auth_age refuses an old sign-in with insufficient_user_authentication and max_age (draft-04 §9.2)', () => {
    const c = conn({ max_auth_age: 60 });
    expect(evaluate({ ...req, auth_time: now - 30 }, [c], directory, now).effect).toBe('allow');
    expect(evaluate({ ...req, auth_time: now - 61 }, [c], directory, now)).toMatchObject({
      effect: 'deny',
      code: 'insufficient_user_authentication',
      rule: 'connection:c1:auth_age',
      max_age: 60,
    });
    expect(evaluate(req, [c], directory, now)).toMatchObject({ effect: 'deny', code: 'insufficient_user_authentication' });
    // Re-authenticating would not help a scope refusal: that stays invalid_scope.
    expect(evaluate({ ...req, auth_time: now - 61, scopes: ['tasks.admin'] }, [c], directory, now)).toMatchObject({ code: 'invalid_scope' });
  });
  it('sender constraint: a connection with require_dpop refuses a request without a DPoP proof, naming the rule (RFC 9449 §4, draft-04 §9.8.1.1)', () => {
    const c = conn({ require_dpop: true });
    const denied = evaluate(req, [c], directory, now);
    expect(denied).toMatchObject({ effect: 'deny', code: 'invalid_dpop_proof', rule: 'connection:c1:dpop' });
    if (denied.effect === 'deny') expect(denied.description).toMatch(/requires DPoP/);
    const allowed = evaluate({ ...req, dpop_jkt: 'abc' }, [c], directory, now);
    expect(allowed).toMatchObject({ effect: 'allow', rule: 'connection:c1' });
    expect(allowed.trace.find((t) => t.check === 'connection.dpop')?.outcome).toBe('pass');
    // A connection that does not require DPoP takes either.
    expect(evaluate(req, [conn()], directory, now).effect).toBe('allow');
  });
});

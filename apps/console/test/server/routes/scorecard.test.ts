/**
 * Which AS the console's scorecard tests, and with what: a playground server's registration (its
 * secret filled in by the backend, never sent to the browser) or an AS the admin types in.
 */
import { defaultTopology } from '@xaa/topology';
import { describe, expect, it } from 'vitest';
import { resolveTarget, scorecardTargets } from '../../../src/server/routes/scorecard.ts';

const t = defaultTopology({ basePort: 47000 });
const tasks = t.servers.find((s) => s.name === 'tasks')!;
const reg = t.clients.find((c) => c.name === 'acme-agent')!.servers.tasks!;

describe('scorecard targets', () => {
  it('lists the playground servers with client ids, never a secret', () => {
    const targets = scorecardTargets(t);
    expect(targets.map((x) => x.server)).toEqual(t.servers.map((s) => s.name));
    expect(targets[0]?.registrations.map((r) => r.app)).toEqual(['acme-agent', 'acme-chat', 'shadow-agent', 'acme-desktop']);
    const text = JSON.stringify(targets);
    for (const c of t.clients) for (const r of Object.values(c.servers)) expect(text).not.toContain(r.client_secret);
  });

  it('fills in a playground server: issuer, resource, registration with its secret, another client and resource', () => {
    const r = resolveTarget(t, { server: 'tasks' });
    expect(r).toMatchObject({
      ok: true,
      target: { issuer: tasks.issuer, resource: tasks.resource, clientId: reg.client_id, clientSecret: reg.client_secret, otherClientId: 'acme-chat-at-tasks' },
    });
    expect(resolveTarget(t, { server: 'tasks', app: 'acme-chat' })).toMatchObject({ ok: true, target: { clientId: 'acme-chat-at-tasks' } });
  });

  it('fills the secret of a typed-in playground AS and client id; any other AS needs its secret', () => {
    expect(resolveTarget(t, { issuer: tasks.issuer, resource: tasks.resource, clientId: reg.client_id, clientSecret: '' })).toMatchObject({
      ok: true,
      target: { clientSecret: reg.client_secret },
    });
    expect(resolveTarget(t, { issuer: 'https://as.example.com', resource: 'https://mcp.example.com/mcp', clientId: 'c' })).toMatchObject({
      ok: false,
      fields: { clientSecret: 'required' },
    });
    expect(resolveTarget(t, { issuer: 'https://as.example.com', resource: 'https://mcp.example.com/mcp', clientId: 'c', clientSecret: 's' })).toMatchObject({
      ok: true,
      target: { issuer: 'https://as.example.com', clientSecret: 's' },
    });
  });

  it('refuses unknown servers, apps without a registration and non-http URLs, naming the field', () => {
    expect(resolveTarget(t, { server: 'nope' })).toMatchObject({ ok: false, fields: { server: 'unknown server' } });
    expect(resolveTarget(t, { server: '../x' })).toMatchObject({ ok: false, fields: { server: 'unknown server' } });
    expect(resolveTarget(t, { server: 'tasks', app: 'nobody' })).toMatchObject({ ok: false, fields: { app: 'no registration' } });
    const bad = resolveTarget(t, { issuer: 'javascript:alert(1)', resource: 'file:///etc/passwd', clientId: 'c', clientSecret: 's' });
    expect(bad).toMatchObject({ ok: false });
    if (!bad.ok) expect(Object.keys(bad.fields).sort()).toEqual(['issuer', 'resource']);
    expect(resolveTarget(t, undefined)).toMatchObject({ ok: false });
  });
});

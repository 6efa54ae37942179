/**
 * Servers learnt at run time laid over the configuration: one name is one (issuer, resource), the
 * caller's configuration is never changed, and a stored server that now contradicts the
 * configuration is left out rather than repointing an app's credentials; forgetting one goes back to
 * the configuration (client.db in memory).
 */
import { FlowLog } from '@xaa/node-kit';
import { defaultTopology } from '@xaa/topology';
import { describe, expect, it } from 'vitest';
import { knownServers, withAddedServers } from '../../src/added-servers.ts';
import { Agent, ServerConflict, UsageProblem } from '../../src/agent.ts';
import { configFromTopology } from '../../src/config.ts';
import { ClientStore } from '../../src/store.ts';

const config = configFromTopology(defaultTopology({ basePort: 47000 }));
const tasks = config.servers.find((s) => s.name === 'tasks');
const row = (over: Record<string, unknown> = {}) => ({
  name: 'theirs',
  title: 'Theirs',
  resource: 'https://mcp.example.test/mcp',
  issuer: 'https://as.example.test',
  scopes: ['a'],
  registrations: { 'acme-agent': { client_id: 'acme-at-theirs', client_secret: 's' } },
  updated_at: 0,
  ...over,
});

describe('withAddedServers', () => {
  it('adds the server and the app registration to a copy; the configuration passed in is unchanged', () => {
    const before = JSON.stringify(config);
    const r = withAddedServers(config, [row()]);
    expect(JSON.stringify(config)).toBe(before);
    expect(r.config.servers.find((s) => s.name === 'theirs')).toMatchObject({ url: 'https://mcp.example.test/mcp', issuer: 'https://as.example.test' });
    expect(r.config.apps.find((a) => a.name === 'acme-agent')?.servers.theirs).toEqual({ client_id: 'acme-at-theirs', client_secret: 's' });
    expect(knownServers(r.config, r.added).find((s) => s.name === 'theirs')).toMatchObject({
      added: true,
      registrations: [{ app: 'acme-agent', client_id: 'acme-at-theirs' }],
    });
  });

  it('leaves out a stored server whose name the configuration gives another resource, or whose resource it knows by another name', () => {
    const r = withAddedServers(config, [row({ name: 'tasks' }), row({ name: 'tasks-copy', resource: tasks?.url, issuer: tasks?.issuer })]);
    expect(r.added.size).toBe(0);
    expect(r.config.servers.find((s) => s.name === 'tasks')?.url).toBe(tasks?.url);
    expect(r.config.servers.some((s) => s.name === 'tasks-copy')).toBe(false);
    expect(r.config.apps.find((a) => a.name === 'acme-agent')?.servers.tasks?.client_id).not.toBe('acme-at-theirs');
  });

  it('drops a stored registration for an app the configuration no longer has, and keeps the server', () => {
    const r = withAddedServers(config, [row({ registrations: { gone: { client_id: 'x' }, 'acme-agent': { client_id: 'acme-at-theirs' } } })]);
    expect(knownServers(r.config, r.added).find((s) => s.name === 'theirs')?.registrations).toEqual([{ app: 'acme-agent', client_id: 'acme-at-theirs' }]);
  });
});

describe('Agent.putServer / deleteServer on client.db', () => {
  const open = () => new Agent({ config, store: new ClientStore(':memory:'), flowLog: new FlowLog({ capacity: 10 }) });
  const input = { title: 'Tasks', resource: tasks?.url as string, issuer: tasks?.issuer as string, registrations: { 'acme-agent': { client_id: 'other-id' } } };

  it('a configured server updated at run time goes back to its configuration when forgotten', () => {
    const agent = open();
    const seeded = agent.config.apps.find((a) => a.name === 'acme-agent')?.servers.tasks;
    expect(agent.putServer('tasks', input).created).toBe(false);
    expect(agent.config.apps.find((a) => a.name === 'acme-agent')?.servers.tasks?.client_id).toBe('other-id');
    agent.deleteServer('tasks');
    expect(agent.config.servers.find((s) => s.name === 'tasks')?.url).toBe(tasks?.url);
    expect(agent.config.apps.find((a) => a.name === 'acme-agent')?.servers.tasks).toEqual(seeded);
    expect(() => agent.deleteServer('tasks')).toThrow(ServerConflict);
    agent.store.close();
  });

  it('a server added and forgotten is gone, with its registrations', () => {
    const agent = open();
    agent.putServer('theirs', { ...input, resource: 'https://mcp.example.test/mcp', issuer: 'https://as.example.test' });
    agent.deleteServer('theirs');
    expect(agent.servers().some((s) => s.name === 'theirs')).toBe(false);
    expect(agent.config.apps.some((a) => a.servers.theirs)).toBe(false);
    expect(agent.store.listAddedServers()).toEqual([]);
    expect(() => agent.deleteServer('theirs')).toThrow(UsageProblem);
    agent.store.close();
  });
});

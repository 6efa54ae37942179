import type { App, Connection, Group, Server, User } from '../../api/types.ts';

export const servers: Server[] = [
  { name: 'tasks', title: 'Tasks', issuer: 'http://localhost:4101', resource: 'http://localhost:4101/mcp', scopes: ['tasks.read', 'tasks.write'], xaa: true },
  { name: 'docs', title: 'Docs', issuer: 'http://localhost:4102', resource: 'http://localhost:4102/mcp', scopes: ['docs.read', 'docs.write'], xaa: true },
  { name: 'wiki', title: 'Wiki', issuer: 'http://localhost:4104', resource: 'http://localhost:4104/mcp', scopes: ['wiki.read'], xaa: false },
];

export const apps: App[] = [
  { client_id: 'acme-agent', title: 'Acme Agent', registrations: { tasks: 'acme-agent-at-tasks', docs: 'acme-agent-at-docs' } },
  { client_id: 'shadow-agent', title: 'Shadow Agent', registrations: {} },
];

export const connections: Connection[] = [
  {
    id: 'c1',
    client_id: 'acme-agent',
    server: 'tasks',
    scopes: ['tasks.read'],
    audience: { kind: 'groups', groups: ['engineering'] },
    ttl: 300,
    enabled: true,
  },
  { id: 'c2', client_id: 'acme-agent', server: 'docs', scopes: ['docs.read'], audience: { kind: 'all' }, ttl: 120, enabled: false },
];

export const groups: Group[] = [
  { name: 'engineering', title: 'Engineering' },
  { name: 'sales', title: 'Sales' },
];

export const users: User[] = [
  { id: 'u1', username: 'alice', email: 'alice@acme.test', name: 'Alice Anders', groups: ['engineering'], admin: false, disabled: false },
  { id: 'u2', username: 'carol', email: 'carol@acme.test', name: 'Carol Chen', groups: ['it'], admin: true, disabled: false },
];

import type { App, Connection, Group, Server, User } from '@xaa/admin-contracts/idp';

// Complete records, as the IdP admin API serves them (@xaa/admin-contracts/idp).
const T = 1_800_000_000;
const server = (s: Pick<Server, 'name' | 'title' | 'issuer' | 'resource' | 'scopes' | 'xaa'>): Server => ({ pairwise_subject: false, admin_url: null, ...s });
export const app = (a: Pick<App, 'client_id' | 'title' | 'registrations'> & Partial<App>): App => ({
  kind: 'app',
  client_secret: null,
  token_endpoint_auth_method: 'client_secret_basic',
  redirect_uris: [],
  post_logout_redirect_uris: [],
  jwks: null,
  token_exchange: true,
  disabled: false,
  created_at: T,
  updated_at: T,
  ...a,
});
const connection = (c: Pick<Connection, 'id' | 'client_id' | 'server' | 'scopes' | 'audience' | 'ttl' | 'enabled'>): Connection => ({
  max_auth_age: null,
  require_dpop: false,
  created_at: T,
  updated_at: T,
  client_title: c.client_id,
  server_title: c.server,
  issuer: null,
  resource: null,
  client_id_at_server: c.client_id,
  ...c,
});
const user = (u: Pick<User, 'id' | 'username' | 'email' | 'name' | 'groups' | 'admin' | 'disabled'>): User => ({
  not_before: null,
  created_at: T,
  updated_at: T,
  ...u,
});

export const servers: Server[] = [
  server({
    name: 'tasks',
    title: 'Tasks',
    issuer: 'http://localhost:4101',
    resource: 'http://localhost:4101/mcp',
    scopes: ['tasks.read', 'tasks.write'],
    xaa: true,
  }),
  server({
    name: 'docs',
    title: 'Docs',
    issuer: 'http://localhost:4102',
    resource: 'http://localhost:4102/mcp',
    scopes: ['docs.read', 'docs.write'],
    xaa: true,
  }),
  server({ name: 'wiki', title: 'Wiki', issuer: 'http://localhost:4104', resource: 'http://localhost:4104/mcp', scopes: ['wiki.read'], xaa: false }),
];

export const apps: App[] = [
  app({ client_id: 'acme-agent', title: 'Acme Agent', registrations: { tasks: 'acme-agent-at-tasks', docs: 'acme-agent-at-docs' } }),
  app({ client_id: 'shadow-agent', title: 'Shadow Agent', registrations: {} }),
];

export const connections: Connection[] = [
  connection({
    id: 'c1',
    client_id: 'acme-agent',
    server: 'tasks',
    scopes: ['tasks.read'],
    audience: { kind: 'groups', groups: ['engineering'] },
    ttl: 300,
    enabled: true,
  }),
  connection({ id: 'c2', client_id: 'acme-agent', server: 'docs', scopes: ['docs.read'], audience: { kind: 'all' }, ttl: 120, enabled: false }),
];

export const groups: Group[] = [
  { name: 'engineering', title: 'Engineering', members: ['alice'] },
  { name: 'sales', title: 'Sales', members: [] },
];

export const users: User[] = [
  user({ id: 'u1', username: 'alice', email: 'alice@acme.test', name: 'Alice Anders', groups: ['engineering'], admin: false, disabled: false }),
  user({ id: 'u2', username: 'carol', email: 'carol@acme.test', name: 'Carol Chen', groups: ['it'], admin: true, disabled: false }),
];

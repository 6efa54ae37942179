import { randomBytes } from 'node:crypto';
import type { ClientDef, ConnectionDef, GroupDef, ServerDef, Topology, UserDef } from './types.ts';

export interface TopologyOptions {
  host?: string;
  dataDir?: string;
  /** First port; the defaults are idp 4000, servers 4101.., agent 4200, console 4300. */
  basePort?: number;
  /** Secrets to reuse (from a previous start); missing ones are generated. */
  secrets?: Record<string, string>;
}

const SERVERS: Array<Pick<ServerDef, 'name' | 'title' | 'scopes' | 'xaa'>> = [
  { name: 'tasks', title: 'Tasks', scopes: ['tasks.read', 'tasks.write'], xaa: true },
  { name: 'docs', title: 'Docs', scopes: ['docs.read', 'docs.write'], xaa: true },
  { name: 'crm', title: 'CRM', scopes: ['crm.read', 'crm.write'], xaa: true },
  { name: 'wiki', title: 'Wiki', scopes: ['wiki.read', 'wiki.write'], xaa: false },
];

const USERS: Array<Omit<UserDef, 'password'>> = [
  { username: 'alice', email: 'alice@acme.test', name: 'Alice Anders', groups: ['engineering'], admin: false },
  { username: 'bob', email: 'bob@acme.test', name: 'Bob Brandt', groups: ['contractors'], admin: false },
  { username: 'dave', email: 'dave@acme.test', name: 'Dave Diaz', groups: ['sales'], admin: false },
  { username: 'carol', email: 'carol@acme.test', name: 'Carol Chen', groups: ['it'], admin: true },
];

const GROUPS: GroupDef[] = [
  { name: 'engineering', title: 'Engineering' },
  { name: 'contractors', title: 'Contractors' },
  { name: 'sales', title: 'Sales' },
  { name: 'it', title: 'IT' },
];

const CLIENTS: Array<{ name: string; title: string; saml?: true }> = [
  { name: 'acme-agent', title: 'Acme Agent' },
  { name: 'acme-chat', title: 'Acme Chat' },
  { name: 'shadow-agent', title: 'Shadow Agent' },
  /** A desktop agent that signs in with SAML 2.0 (then saml2 → refresh token → ID-JAG), governed by the same connections as Acme Agent. */
  { name: 'acme-desktop', title: 'Acme Desktop', saml: true },
];

/** The seeded demo password (docs/decisions.md §3): demo-only, documented in the README. */
export const DEMO_PASSWORD = 'demo';

export function defaultTopology(options: TopologyOptions = {}): Topology {
  const host = options.host ?? 'localhost';
  const base = options.basePort ?? 4000;
  const secrets = { ...options.secrets };
  const secret = (key: string) => {
    secrets[key] ??= randomBytes(24).toString('base64url');
    return secrets[key] as string;
  };
  const origin = (port: number) => `http://${host}:${port}`;
  const agentOrigin = origin(base + 200);

  const servers: ServerDef[] = SERVERS.map((s, i) => {
    const port = base + 101 + i;
    return {
      ...s,
      port,
      issuer: origin(port),
      resource: `${origin(port)}/mcp`,
      admin: `${origin(port)}/admin`,
      sso: { client_id: `${s.name}-sign-in`, client_secret: secret(`idp:${s.name}-sign-in`) },
    };
  });

  const clients: ClientDef[] = CLIENTS.map(({ saml, ...c }) => ({
    ...c,
    ...(saml ? { saml: { entity_id: `${agentOrigin}/saml/${c.name}`, acs_url: `${agentOrigin}/saml/acs` } } : {}),
    idp: {
      client_id: c.name,
      client_secret: secret(`idp:${c.name}`),
      redirect_uris: [`${agentOrigin}/callback`],
      post_logout_redirect_uris: [`${agentOrigin}/`],
    },
    servers: Object.fromEntries(servers.map((s) => [s.name, { client_id: `${c.name}-at-${s.name}`, client_secret: secret(`${s.name}:${c.name}`) }])),
  }));

  const everyone = { kind: 'all' } as const;
  const connections: ConnectionDef[] = [
    {
      client: 'acme-agent',
      server: 'tasks',
      scopes: ['tasks.read', 'tasks.write'],
      audience: { kind: 'groups', groups: ['engineering', 'it'] },
      ttl: 300,
      enabled: true,
    },
    { client: 'acme-agent', server: 'docs', scopes: ['docs.read', 'docs.write'], audience: everyone, ttl: 300, enabled: true },
    { client: 'acme-chat', server: 'docs', scopes: ['docs.read'], audience: everyone, ttl: 300, enabled: true },
  ];
  // Acme Desktop (SAML) gets Acme Agent's connections: one policy, whichever protocol the user signed in with.
  for (const c of connections.filter((x) => x.client === 'acme-agent')) connections.push({ ...c, client: 'acme-desktop', scopes: [...c.scopes] });

  return {
    host,
    dataDir: options.dataDir ?? '.data',
    idp: { issuer: origin(base), port: base, admin: `${origin(base)}/admin`, saml: { metadata_url: `${origin(base)}/saml/metadata` } },
    servers,
    clients,
    users: USERS.map((u) => ({ ...u, password: DEMO_PASSWORD })),
    groups: GROUPS,
    connections,
    agent: { url: agentOrigin, port: base + 200, admin: `${agentOrigin}/admin` },
    console: {
      url: origin(base + 300),
      port: base + 300,
      admin: `${origin(base + 300)}/admin`,
      client: { client_id: 'xaa-console', client_secret: secret('idp:xaa-console'), redirect_uris: [`${origin(base + 300)}/auth/callback`] },
    },
    ops: { client_id: 'ops', client_secret: secret('idp:ops') },
  };
}

/** The secrets a topology uses, to persist and pass back as `options.secrets` on the next start. */
export function topologySecrets(t: Topology): Record<string, string> {
  const out: Record<string, string> = { 'idp:ops': t.ops.client_secret, 'idp:xaa-console': t.console.client.client_secret };
  for (const c of t.clients) {
    out[`idp:${c.name}`] = c.idp.client_secret;
    for (const [server, reg] of Object.entries(c.servers)) out[`${server}:${c.name}`] = reg.client_secret;
  }
  for (const s of t.servers) if (s.sso) out[`idp:${s.sso.client_id}`] = s.sso.client_secret;
  return out;
}

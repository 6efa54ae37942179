/**
 * `.data/playground.json`: the public manifest (docs/decisions.md §3). Scripts and external tools read it to
 * drive the playground without reading code. Extra keys are allowed; the documented ones are stable.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultTopology, type TopologyOptions, topologySecrets } from './default.ts';
import type { Topology } from './types.ts';

export function playgroundManifest(t: Topology) {
  return {
    idp: { issuer: t.idp.issuer, admin: t.idp.admin, saml: t.idp.saml },
    servers: t.servers.map((s) => ({ name: s.name, title: s.title, issuer: s.issuer, resource: s.resource, scopes: s.scopes, xaa: s.xaa, admin: s.admin })),
    clients: t.clients.map((c) => ({ name: c.name, title: c.title, idp: c.idp, servers: c.servers, ...(c.saml ? { saml: c.saml } : {}) })),
    users: t.users.map((u) => ({ username: u.username, password: u.password, email: u.email, name: u.name, groups: u.groups, admin: u.admin })),
    connections: t.connections,
    agent: { url: t.agent.url },
    console: { url: t.console.url },
    ops: t.ops,
  };
}

function writeAtomic(path: string, content: string) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
  chmodSync(path, 0o600);
}

export function writeManifest(t: Topology): string {
  const path = join(t.dataDir, 'playground.json');
  writeAtomic(path, `${JSON.stringify(playgroundManifest(t), null, 2)}\n`);
  return path;
}

/**
 * The topology for a data directory: secrets are generated once and kept in `secrets.json`, so a
 * restart (or another process reading the same directory) sees the same credentials.
 */
export function loadTopology(options: TopologyOptions & { dataDir: string }): Topology {
  const secretsPath = join(options.dataDir, 'secrets.json');
  const stored = existsSync(secretsPath) ? (JSON.parse(readFileSync(secretsPath, 'utf8')) as Record<string, string>) : {};
  const t = defaultTopology({ ...options, secrets: { ...stored, ...options.secrets } });
  const secrets = topologySecrets(t);
  if (JSON.stringify(secrets) !== JSON.stringify(stored)) writeAtomic(secretsPath, `${JSON.stringify(secrets, null, 2)}\n`);
  return t;
}

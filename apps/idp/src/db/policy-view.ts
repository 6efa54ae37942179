/** The directory as the policy engine (@xaa/policy) sees it: connections joined with their server and client-id mapping. */
import { type Db, deepFreeze } from '@xaa/node-kit';
import type { Connection, Directory, DirectoryServer } from '@xaa/policy';
import { selectRemoteClientId } from './apps.ts';
import type { AppRecord, ConnectionRecord, ServerRecord, UserRecord } from './records.ts';

/** The (cached) reads the policy view is built from. */
export interface DirectoryReads {
  getUser(id: string): UserRecord | undefined;
  getApp(clientId: string): AppRecord | undefined;
  listServers(): ServerRecord[];
}

export function joinPolicyConnections(db: Db, servers: ServerRecord[], connections: ConnectionRecord[]): Connection[] {
  const byName = new Map(servers.map((s) => [s.name, s]));
  const out: Connection[] = [];
  for (const c of connections) {
    const server = byName.get(c.server);
    if (!server) continue;
    const remote = selectRemoteClientId(db, c.client_id, c.server);
    out.push({
      id: c.id,
      client: c.client_id,
      server: c.server,
      issuer: server.issuer,
      resource: server.resource,
      // draft-04 §5: the client's id at that AS; without a mapping the IdP client id is used as-is.
      remote_client_id: remote ?? c.client_id,
      scopes: c.scopes,
      audience: c.audience,
      ttl: c.ttl,
      enabled: c.enabled,
      ...(c.max_auth_age !== null ? { max_auth_age: c.max_auth_age } : {}),
      ...(c.require_dpop ? { require_dpop: true } : {}),
    });
  }
  return out;
}

/** The engine's view over `reads`; its server list is built on first use (the caller keeps the view no longer than the reads stay current). */
export function policyDirectoryOf(reads: DirectoryReads): Directory {
  let servers: DirectoryServer[] | undefined;
  return {
    user: (id) => {
      const u = reads.getUser(id);
      return u ? { id: u.id, username: u.username, groups: u.groups, disabled: u.disabled } : undefined;
    },
    client: (id) => {
      const a = reads.getApp(id);
      return a ? { client_id: a.client_id, title: a.title, disabled: a.disabled || !a.token_exchange } : undefined;
    },
    servers: () =>
      (servers ??= deepFreeze(
        reads
          .listServers()
          .filter((s) => s.xaa)
          .map((s) => ({ name: s.name, title: s.title, issuer: s.issuer, resources: [s.resource], scopes: s.scopes })),
      )),
  };
}

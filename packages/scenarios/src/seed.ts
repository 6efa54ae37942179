/** Putting back the parts of the seed (docs/decisions.md §3) that a story changes, through the IdP admin API. */
import type { PlaygroundClient } from './playground-client.ts';

export interface ConnectionRecord {
  id: string;
  client_id: string;
  server: string;
  scopes: string[];
  audience: unknown;
  ttl: number;
  enabled: boolean;
}

export async function findConnection(client: PlaygroundClient, app: string, server: string): Promise<ConnectionRecord | undefined> {
  const { connections } = await client.idp<{ connections: ConnectionRecord[] }>(
    'GET',
    `/connections?client_id=${encodeURIComponent(app)}&server=${encodeURIComponent(server)}`,
  );
  return connections[0];
}

/** Make the (app, server) connection what the seed says it is (create it if it was deleted). */
export async function restoreConnection(client: PlaygroundClient, app: string, server: string): Promise<void> {
  const seed = client.manifest.connections.find((c) => c.client === app && c.server === server);
  if (!seed) throw new Error(`The seed has no connection ${app} → ${server}.`);
  const current = await findConnection(client, app, server);
  const body = { scopes: seed.scopes, audience: seed.audience, ttl: seed.ttl, enabled: seed.enabled, require_dpop: false };
  if (current) await client.idp('PATCH', `/connections/${current.id}`, body);
  else await client.idp('POST', '/connections', { client_id: app, server, ...body });
}

/** Remove every connection of an app to a server (the seed has none there). */
export async function removeConnections(client: PlaygroundClient, app: string, server?: string): Promise<void> {
  const q = `client_id=${encodeURIComponent(app)}${server ? `&server=${encodeURIComponent(server)}` : ''}`;
  const { connections } = await client.idp<{ connections: ConnectionRecord[] }>('GET', `/connections?${q}`);
  for (const c of connections) await client.idp('DELETE', `/connections/${c.id}`);
}

export async function enableUser(client: PlaygroundClient, username: string): Promise<void> {
  await client.idp('PATCH', `/users/${encodeURIComponent(username)}`, { disabled: false });
}

export async function setUserDisabled(client: PlaygroundClient, username: string, disabled: boolean): Promise<void> {
  await client.idp('PATCH', `/users/${encodeURIComponent(username)}`, { disabled });
}

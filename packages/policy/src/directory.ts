/** Build a `Directory` from plain arrays (tests, the simulator, small callers). */
import type { Directory, DirectoryClient, DirectoryServer, DirectoryUser } from './types.ts';

export function staticDirectory(data: { users: DirectoryUser[]; clients: DirectoryClient[]; servers: DirectoryServer[] }): Directory {
  const users = new Map(data.users.map((u) => [u.id, u]));
  const clients = new Map(data.clients.map((c) => [c.client_id, c]));
  return { user: (id) => users.get(id), client: (id) => clients.get(id), servers: () => data.servers };
}

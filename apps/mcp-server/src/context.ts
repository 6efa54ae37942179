/**
 * Everything one sample server needs at run time: its definition from the topology, its slice of
 * resource.db (stores keyed by server name), its signing key, its event log and its tools. One
 * `ServerRuntime` per origin; nothing is shared between servers but the database file.
 */
import type { Db, FlowLog } from '@xaa/node-kit';
import type { ServerDef, Topology } from '@xaa/topology';
import type Provider from 'oidc-provider';
import type { CimdResolver } from './as/cimd.ts';
import type { ClientStore } from './db/clients.ts';
import type { ServerKey } from './db/keys.ts';
import type { JtiReplayStore } from './db/replay.ts';
import type { SettingsStore } from './db/settings.ts';
import type { TrustStore } from './db/trust.ts';
import type { UserStore } from './db/users.ts';
import type { ToolModule } from './mcp/tool.ts';

export interface ServerRuntime {
  def: ServerDef;
  topology: Topology;
  db: Db;
  flowLog: FlowLog;
  key: ServerKey;
  settings: SettingsStore;
  trust: TrustStore;
  users: UserStore;
  clients: ClientStore;
  /** Client ID Metadata Documents fetched by this AS. */
  cimd: CimdResolver;
  replay: JtiReplayStore;
  tools: ToolModule;
  /** The oidc-provider instance of this server's AS (set once built). */
  provider: Provider;
  nowMs(): number;
  nowSeconds(): number;
  /** The party names of this server in flow events. */
  party: { as: `as:${string}`; mcp: `mcp:${string}` };
  /** `fetch` for URLs a client names (jwks_uri, CIMD): SSRF rules of node-kit's outboundFetch. */
  outboundFetch: typeof fetch;
  /** Create a local user with its sample tool data. */
  createUser(input: {
    username: string;
    email?: string | null;
    name?: string;
    source: 'seed' | 'jit' | 'admin';
    issuer?: string | null;
  }): import('./db/users.ts').LocalUser;
}

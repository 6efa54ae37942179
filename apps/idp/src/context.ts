/** What the IdP's modules share at runtime: a small deps object, built once by `start()`. */
import type { Db, FlowLog } from '@xaa/node-kit';
import type { Topology } from '@xaa/topology';
import type Provider from 'oidc-provider';
import type { DirectoryStore } from './db/directory.ts';
import type { KeyStore } from './keys/key-store.ts';

export interface IdpContext {
  issuer: string;
  /** `${issuer}/admin`: this IdP's admin API (resource indicator for its tokens). */
  adminAudience: string;
  topology: Topology;
  db: Db;
  directory: DirectoryStore;
  keys: KeyStore;
  flowLog: FlowLog;
  /** Milliseconds. */
  now: () => number;
  quiet: boolean;
  /** The live oidc-provider instance (replaced on key rotation). */
  provider(): Provider;
  /** Re-create the provider (after a key rotation). */
  rebuildProvider(): void;
  /** Resolves when every flow event emitted so far is in the persisted audit (group commit). */
  auditWritten(): Promise<void>;
}

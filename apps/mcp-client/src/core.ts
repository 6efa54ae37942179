/**
 * What the per-server modules need from the agent: configuration, client.db, the instrumented fetch,
 * the clock, and the IdP side (its client and the ID token of a signed-in user).
 */
import type { AgentApp, AgentConfig, AgentServer } from './config.ts';
import type { IdpClient, IdTokenSource, LegDeps, ServerTarget } from './flow.ts';
import type { FetchLike } from './http.ts';
import type { ProgressSink } from './progress.ts';
import type { ClientStore } from './store.ts';

export interface AgentCore {
  readonly config: AgentConfig;
  readonly store: ClientStore;
  readonly fetch: FetchLike;
  /** Seconds since the epoch. */
  now(): number;
  idp(app: AgentApp): IdpClient;
  idTokens(user: string, app: AgentApp, progress: ProgressSink): IdTokenSource;
}

export function legDeps(core: AgentCore, progress: ProgressSink): LegDeps {
  return { fetch: core.fetch, now: () => core.now(), progress };
}

export function targetOf(app: AgentApp, s: AgentServer): ServerTarget {
  return { name: s.name, url: s.url, registration: app.servers[s.name], expectedIssuer: s.issuer };
}

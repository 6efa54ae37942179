/**
 * What the per-server modules need from the agent: configuration, client.db, the instrumented fetch,
 * the clock, and the IdP side (its client and the ID token of a signed-in user).
 */
import type { FlowLog } from '@xaa/node-kit';
import type { KnownServer } from './added-servers.ts';
import { type AgentApp, type AgentConfig, type AgentServer, wantsDpop } from './config.ts';
import { type DpopKey, dpopFetch, importDpopKey, newDpopKey } from './dpop.ts';
import type { IdpClient, IdTokenSource, LegDeps, ServerTarget } from './flow.ts';
import type { FetchLike } from './http.ts';
import type { SsoDeps } from './legs/sso.ts';
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

/** What the sign-in, callback and status modules need besides `AgentCore`: the flow log, SSO and look-ups. */
export interface LoginHost extends AgentCore {
  readonly flowLog: FlowLog;
  readonly sso: SsoDeps;
  /** The app by name (or the current session's); throws `UsageProblem` when unknown. */
  app(name: string | undefined): AgentApp;
  /** A server the agent knows; throws `UsageProblem` when unknown. */
  server(name: string): AgentServer;
  servers(): KnownServer[];
}

export function legDeps(core: AgentCore, progress: ProgressSink): LegDeps {
  return { fetch: core.fetch, now: () => core.now(), progress };
}

export function targetOf(app: AgentApp, s: AgentServer): ServerTarget {
  return { name: s.name, url: s.url, registration: app.servers[s.name], expectedIssuer: s.issuer };
}

/**
 * The leg dependencies for one (user, app, purpose): the fetch adds DPoP proofs of that session's key
 * — or, for a sub-agent (`purpose`), of the sub-agent's own key — kept in client.db with the session
 * (RFC 9449; MCP DPoP profile "Key Storage"). With `--dpop` (or the app's default) the key is made up
 * front and every new token is bound; otherwise only when a resource requires DPoP-bound tokens, and
 * stored tokens bound to the key keep being presented with proofs.
 */
export async function sessionLegDeps(
  core: AgentCore,
  user: string,
  app: AgentApp,
  purpose: string,
  progress: ProgressSink,
  /** Bind for this action whatever the configuration says (the agent API's `dpop`). */
  dpop?: boolean,
): Promise<LegDeps & { dpopJkt?: string }> {
  let row = core.store.getDpopKey(user, app.name, purpose);
  let loaded: DpopKey | undefined;
  const key = async (): Promise<DpopKey> => {
    if (loaded) return loaded;
    if (!row) {
      const created = await newDpopKey();
      core.store.saveDpopKey(user, app.name, purpose, JSON.stringify(created.privateJwk), created.key.jkt, core.now());
      row = core.store.getDpopKey(user, app.name, purpose);
      if (!row) throw new Error('the DPoP key could not be stored');
    }
    loaded = await importDpopKey(JSON.parse(row.private_jwk));
    return loaded;
  };
  const bind = dpop === true || wantsDpop(core.config, app);
  if (bind) await key();
  const fetch = dpopFetch(core.fetch, { bind, jkt: () => row?.jkt, key });
  return { fetch, now: () => core.now(), progress, dpopBound: fetch.boundJkt, ...(row ? { dpopJkt: row.jkt } : {}) };
}

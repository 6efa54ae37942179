/**
 * The fault switches of one IdP instance: an in-memory list of rules (global, per client, per server
 * or per connection), replaced as a whole by `PUT /admin/faults`. In memory on purpose: a restart
 * always brings back a well-behaved IdP. A rule with `remaining` switches itself off after that many
 * firings.
 */
import type { IdpContext } from '../context.ts';
import type { FaultKind } from './catalog.ts';

export interface FaultRule {
  kind: FaultKind;
  /** The client app at the IdP (client_id); omitted = every client. */
  client?: string;
  /** The server name; omitted = every server. */
  server?: string;
  /** `slow` only: milliseconds. */
  delayMs?: number;
  /** Fire at most this many more times. */
  remaining?: number;
}

export class FaultStore {
  private rules: FaultRule[] = [];

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  replace(rules: FaultRule[]): void {
    this.rules = rules.map((r) => ({ ...r }));
  }

  /** The rules that apply to this (client, server), each consuming one firing. */
  take(client: string, server: string | undefined, kinds: readonly FaultKind[]): FaultRule[] {
    if (this.rules.length === 0) return [];
    const fired: FaultRule[] = [];
    for (const r of this.rules) {
      if (!kinds.includes(r.kind)) continue;
      if (r.client !== undefined && r.client !== client) continue;
      if (r.server !== undefined && r.server !== server) continue;
      fired.push({ ...r });
      if (r.remaining !== undefined) r.remaining -= 1;
    }
    this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
    return fired;
  }
}

const stores = new WeakMap<IdpContext, FaultStore>();

/** The fault store of an IdP instance (created on first use; every instance starts with none). */
export function faultsOf(idp: IdpContext): FaultStore {
  let s = stores.get(idp);
  if (!s) {
    s = new FaultStore();
    stores.set(idp, s);
  }
  return s;
}

/**
 * The live view's store: framework-free, owns the events, caps them, de-duplicates by id,
 * filters, groups by trace and pauses. React subscribes through `useFlowLog()`; tests use it directly.
 *
 * Filtering is incremental: an appended event is tested once against the current filter, so a stream
 * of 10,000 events costs O(n) total, not O(n²). Changing the filter recomputes once.
 */
import type { FlowEvent } from '@xaa/protocol';

export interface FlowFilter {
  user?: string;
  app?: string;
  server?: string;
  outcome?: FlowEvent['outcome'] | '';
  /** Free text over summary, step, party and error code. */
  text?: string;
  traceId?: string;
}

export interface TraceSummary {
  traceId: string;
  first: string;
  last: string;
  count: number;
  outcome: FlowEvent['outcome'];
  user?: string;
  app?: string;
  servers: string[];
  summary: string;
}

export interface FlowLogSnapshot {
  version: number;
  total: number;
  visible: readonly FlowEvent[];
  paused: boolean;
  /** Events received while paused, not yet shown. */
  pending: number;
  filter: FlowFilter;
  sourceState: SourceState;
  /** Names seen so far, for filter pickers. */
  facets: { users: string[]; apps: string[]; servers: string[] };
  /** Whether the console's own traffic (its sign-in, admin-token renewals, admin changes) is shown. */
  showConsole: boolean;
  /** Events held back because their trace is only the console's own traffic. */
  consoleHidden: number;
}

export interface SourceState {
  kind: 'live' | 'recorded' | 'none';
  status: 'connecting' | 'open' | 'closed' | 'error';
  detail?: string;
  upstreams?: Record<string, { label: string; state: 'up' | 'down'; reason?: string }>;
}

const OUTCOME_RANK = { ok: 0, denied: 1, error: 2 } as const;

export function serverOf(e: FlowEvent): string | undefined {
  if (e.subject?.server) return e.subject.server;
  const m = /^(?:as|mcp):(.+)$/.exec(e.party);
  return m?.[1];
}

export function matches(e: FlowEvent, f: FlowFilter): boolean {
  if (f.traceId && e.traceId !== f.traceId) return false;
  if (f.outcome && e.outcome !== f.outcome) return false;
  if (f.user && e.subject?.user !== f.user) return false;
  if (f.app && e.subject?.client !== f.app) return false;
  if (f.server && serverOf(e) !== f.server) return false;
  if (f.text) {
    const t = f.text.toLowerCase();
    const hay = `${e.summary} ${e.step} ${e.party} ${e.error?.code ?? ''} ${e.error?.internal ?? ''} ${e.traceId}`.toLowerCase();
    if (!hay.includes(t)) return false;
  }
  return true;
}

/**
 * The console's own traffic: its OIDC sign-in and the refresh-token grants that renew its per-API
 * admin tokens (RFC 8707 resource indicators), events recorded by the console itself, and admin
 * changes. A trace made only of these is housekeeping, not part of the XAA story; a trace that also
 * holds any other step (a scenario that edits a policy, then asks for an ID-JAG) is shown whole.
 */
export function isConsoleTraffic(e: FlowEvent, consoleClients: ReadonlySet<string>): boolean {
  if (e.party === 'console' || e.step === 'admin.change') return true;
  const client = e.subject?.client;
  return client !== undefined && consoleClients.has(client);
}

export class FlowLogState extends EventTarget {
  readonly capacity: number;
  private events: FlowEvent[] = [];
  private visible: FlowEvent[] = [];
  private readonly ids = new Set<string>();
  private held: FlowEvent[] = [];
  private filter: FlowFilter = {};
  private paused = false;
  private version = 0;
  private snapshotCache: FlowLogSnapshot | undefined;
  private source: SourceState = { kind: 'none', status: 'closed' };
  private readonly users = new Set<string>();
  private readonly apps = new Set<string>();
  private readonly servers = new Set<string>();
  /** Names seen outside the console's own traffic: the pickers offer only these while it is hidden. */
  private storyFacets = { users: new Set<string>(), apps: new Set<string>(), servers: new Set<string>() };
  private scheduled = false;
  private consoleClients: Set<string>;
  private showConsole = false;
  /** Traces with at least one event that is not the console's own traffic. */
  private readonly storyTraces = new Set<string>();
  private readonly knownTraces = new Set<string>();

  constructor(options: { capacity?: number; consoleClients?: readonly string[]; showConsole?: boolean } = {}) {
    super();
    this.capacity = options.capacity ?? 20_000;
    this.consoleClients = new Set(options.consoleClients ?? []);
    this.showConsole = options.showConsole ?? false;
  }

  /** Console traffic stays hidden unless switched on, or asked for by its trace id (an audit entry's "View trace"). */
  private shown(e: FlowEvent): boolean {
    return (this.showConsole || this.filter.traceId !== undefined || this.storyTraces.has(e.traceId)) && matches(e, this.filter);
  }

  private addFacets(f: { users: Set<string>; apps: Set<string>; servers: Set<string> }, e: FlowEvent) {
    if (e.subject?.user) f.users.add(e.subject.user);
    if (e.subject?.client) f.apps.add(e.subject.client);
    const server = serverOf(e);
    if (server) f.servers.add(server);
  }

  private recomputeStoryFacets() {
    this.storyFacets = { users: new Set(), apps: new Set(), servers: new Set() };
    for (const e of this.events) if (this.storyTraces.has(e.traceId)) this.addFacets(this.storyFacets, e);
  }

  private refilter() {
    this.visible = this.events.filter((e) => this.shown(e));
  }

  /** The console's own OIDC client ids (its sign-in and admin-token traffic is hidden by default). */
  setConsoleClients(clientIds: readonly string[]): void {
    const next = new Set(clientIds);
    if ([...next].every((c) => this.consoleClients.has(c)) && next.size === this.consoleClients.size) return;
    this.consoleClients = next;
    this.storyTraces.clear();
    for (const e of this.events) if (!isConsoleTraffic(e, next)) this.storyTraces.add(e.traceId);
    this.recomputeStoryFacets();
    this.refilter();
    this.changed();
  }

  /** Show or hide the console's own traffic (hidden by default). */
  setShowConsole(show: boolean): void {
    if (this.showConsole === show) return;
    this.showConsole = show;
    this.refilter();
    this.changed();
  }

  /** Add events (from a source). Duplicates (same id) are ignored; order is kept by time. */
  append(batch: readonly FlowEvent[]): void {
    const fresh = batch.filter((e) => e && typeof e.id === 'string' && !this.ids.has(e.id));
    if (fresh.length === 0) return;
    for (const e of fresh) this.ids.add(e.id);
    if (this.paused) {
      this.held.push(...fresh);
      this.changed();
      return;
    }
    this.admit(fresh);
    this.changed();
  }

  private admit(fresh: FlowEvent[]) {
    const lastTime = this.events.length > 0 ? (this.events[this.events.length - 1] as FlowEvent).time : '';
    const inOrder = fresh.every((e, i) => e.time >= (i === 0 ? lastTime : (fresh[i - 1] as FlowEvent).time));
    // A trace that turns out to be more than console traffic shows its earlier events too.
    let revealed = false;
    for (const e of fresh) {
      if (!this.storyTraces.has(e.traceId) && !isConsoleTraffic(e, this.consoleClients)) {
        this.storyTraces.add(e.traceId);
        if (this.knownTraces.has(e.traceId)) revealed = true;
      }
    }
    for (const e of fresh) {
      this.knownTraces.add(e.traceId);
      if (this.storyTraces.has(e.traceId)) this.addFacets(this.storyFacets, e);
      if (e.subject?.user) this.users.add(e.subject.user);
      if (e.subject?.client) this.apps.add(e.subject.client);
      const s = serverOf(e);
      if (s) this.servers.add(s);
    }
    if (inOrder && !(revealed && !this.showConsole)) {
      this.events.push(...fresh);
      for (const e of fresh) if (this.shown(e)) this.visible.push(e);
    } else {
      this.events.push(...fresh);
      if (!inOrder) this.events.sort((a, b) => (a.time === b.time ? (a.id < b.id ? -1 : 1) : a.time < b.time ? -1 : 1));
      this.refilter();
    }
    // Names from the earlier events of a revealed trace join the pickers.
    if (revealed) this.recomputeStoryFacets();
    if (this.events.length > this.capacity) {
      const drop = this.events.length - this.capacity;
      const dropped = this.events.splice(0, drop);
      for (const e of dropped) this.ids.delete(e.id);
      const oldest = this.events[0]?.time ?? '';
      let cut = 0;
      while (cut < this.visible.length && ((this.visible[cut] as FlowEvent).time < oldest || !this.ids.has((this.visible[cut] as FlowEvent).id))) cut++;
      if (cut > 0) this.visible.splice(0, cut);
    }
  }

  setFilter(filter: FlowFilter): void {
    this.filter = { ...filter };
    this.refilter();
    this.changed();
  }

  setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (!paused && this.held.length > 0) {
      const held = this.held;
      this.held = [];
      this.admit(held);
    }
    this.changed();
  }

  clear(): void {
    this.events = [];
    this.visible = [];
    this.held = [];
    this.ids.clear();
    this.users.clear();
    this.apps.clear();
    this.servers.clear();
    this.storyFacets = { users: new Set(), apps: new Set(), servers: new Set() };
    this.storyTraces.clear();
    this.knownTraces.clear();
    this.changed();
  }

  setSourceState(state: SourceState): void {
    this.source = state;
    this.changed();
  }

  updateUpstream(key: string, value: { label: string; state: 'up' | 'down'; reason?: string }): void {
    this.source = { ...this.source, upstreams: { ...this.source.upstreams, [key]: value } };
    this.changed();
  }

  /** All events of one trace (unfiltered), in time order. */
  trace(traceId: string): FlowEvent[] {
    return this.events.filter((e) => e.traceId === traceId);
  }

  get(id: string): FlowEvent | undefined {
    return this.events.find((e) => e.id === id);
  }

  /** One row per trace among the visible events, newest first. */
  traces(): TraceSummary[] {
    const map = new Map<string, TraceSummary>();
    for (const e of this.visible) {
      let t = map.get(e.traceId);
      if (!t) {
        t = { traceId: e.traceId, first: e.time, last: e.time, count: 0, outcome: 'ok', servers: [], summary: e.summary };
        map.set(e.traceId, t);
      }
      t.count++;
      t.last = e.time;
      if (OUTCOME_RANK[e.outcome] > OUTCOME_RANK[t.outcome]) {
        t.outcome = e.outcome;
        t.summary = e.summary;
      }
      if (e.subject?.user) t.user ??= e.subject.user;
      if (e.subject?.client) t.app ??= e.subject.client;
      const s = serverOf(e);
      if (s && !t.servers.includes(s)) t.servers.push(s);
    }
    return [...map.values()].reverse();
  }

  snapshot(): FlowLogSnapshot {
    if (this.snapshotCache?.version === this.version) return this.snapshotCache;
    this.snapshotCache = {
      version: this.version,
      total: this.events.length,
      // A fresh array per version, so React sees appends (one copy per render, not per event).
      visible: this.visible.slice(),
      paused: this.paused,
      pending: this.held.length,
      filter: this.filter,
      sourceState: this.source,
      facets: this.showConsole
        ? { users: [...this.users].sort(), apps: [...this.apps].sort(), servers: [...this.servers].sort() }
        : { users: [...this.storyFacets.users].sort(), apps: [...this.storyFacets.apps].sort(), servers: [...this.storyFacets.servers].sort() },
      showConsole: this.showConsole,
      consoleHidden: this.showConsole || this.filter.traceId ? 0 : this.events.reduce((n, e) => (this.storyTraces.has(e.traceId) ? n : n + 1), 0),
    };
    return this.snapshotCache;
  }

  /** Coalesce change notifications to one per microtask: a burst of appends re-renders once. */
  private changed() {
    this.version++;
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.dispatchEvent(new Event('change'));
    });
  }
}

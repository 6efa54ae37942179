/**
 * The flow-event log of one app (docs/decisions.md §5): a bounded in-memory ring of recent events for the live
 * view, subscribers for the SSE stream, and an optional persistence hook for the audit trail.
 * Persisted copies never hold a usable token: `compact` is removed before `persist` is called.
 */
import { randomUUID } from 'node:crypto';
import type { FlowEvent, FlowEventInput } from '@xaa/protocol';
import { stripSignature } from '@xaa/protocol';

export interface FlowLogOptions {
  /** Ring size (default 2,000). */
  capacity?: number;
  /** Keep only signature-stripped tokens even in memory (docs/decisions.md §4 redact mode). */
  redact?: boolean;
  /** Called with a token-free copy of each event (e.g. to append to an audit table). */
  persist?: (event: FlowEvent) => void;
}

export type FlowListener = (event: FlowEvent) => void;

let seq = 0;
/** Random per module instance (each worker thread has its own), so ids stay unique across processes and threads. */
const origin = randomUUID().slice(0, 8);
/** The current millisecond, as the id prefix and as the ISO time: formatted once per millisecond, not per event. */
const clock = { ms: -1, id: '', iso: '' };
function tick(): typeof clock {
  const ms = Date.now();
  if (ms !== clock.ms) {
    clock.ms = ms;
    clock.id = eventIdPrefix(ms);
    clock.iso = new Date(ms).toISOString();
  }
  return clock;
}

/** Sortable ids: time-ordered across the apps of one process, unique across processes. */
function eventId(now: typeof clock): string {
  seq = (seq + 1) % 1_000_000;
  return `${now.id}-${seq.toString(36).padStart(4, '0')}-${origin}`;
}

/**
 * How an event id begins: its time (epoch milliseconds, the same instant as the event's `time`).
 * Ids made at or after `ms` sort at or after `eventIdPrefix(ms)`; ids made before it sort before it.
 */
export function eventIdPrefix(ms: number): string {
  return Math.max(0, Math.floor(ms)).toString(36).padStart(9, '0');
}

export function withoutTokens(event: FlowEvent): FlowEvent {
  if (!event.tokens) return event;
  return Object.assign({}, event, { tokens: event.tokens.map(({ compact: _c, ...t }) => t) });
}

export class FlowLog {
  private readonly ring: FlowEvent[] = [];
  private readonly listeners = new Set<FlowListener>();
  readonly capacity: number;
  redact: boolean;
  private readonly persist: ((event: FlowEvent) => void) | undefined;

  constructor(options: FlowLogOptions = {}) {
    this.capacity = options.capacity ?? 2000;
    this.redact = options.redact ?? false;
    this.persist = options.persist;
  }

  emit(input: FlowEventInput): FlowEvent {
    // Object.assign, not `{ ...input, id, time }`: on Node 20 a spread followed by more properties
    // takes a slow path (about ten times the cost), and every flow event goes through here.
    const now = tick();
    let event = Object.assign({}, input, { id: input.id ?? eventId(now), time: input.time ?? now.iso }) as FlowEvent;
    if (this.redact && event.tokens)
      event = Object.assign({}, event, { tokens: event.tokens.map((t) => (t.compact ? Object.assign({}, t, { compact: stripSignature(t.compact) }) : t)) });
    this.ring.push(event);
    // Trimmed in batches: dropping the oldest event on every emit would move the whole ring each time.
    // Batches of an eighth of the capacity: the events past it are garbage kept alive, and under load
    // they are what a thread holds (tokens and their decoded views), so the batch stays small.
    if (this.ring.length >= this.capacity + Math.max(1, this.capacity >> 3)) this.ring.splice(0, this.ring.length - this.capacity);
    if (this.persist) {
      try {
        this.persist(withoutTokens(event));
      } catch (e) {
        // The audit write failing must be visible, but must not turn a protocol answer into a 500.
        console.error('[flow-log] persist failed:', (e as Error).message);
      }
    }
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken subscriber (closed socket) must not affect the emitter
      }
    }
    return event;
  }

  /** Events after `after` (an event id), oldest first, at most `limit`. */
  recent(options: { after?: string; limit?: number; traceId?: string } = {}): FlowEvent[] {
    let events = this.ring.length > this.capacity ? this.ring.slice(-this.capacity) : this.ring;
    if (options.after) events = events.filter((e) => e.id > (options.after as string));
    if (options.traceId) events = events.filter((e) => e.traceId === options.traceId);
    const limit = Math.max(1, Math.min(options.limit ?? 500, this.capacity));
    return events.slice(-limit);
  }

  subscribe(listener: FlowListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clear(): void {
    this.ring.length = 0;
  }
}

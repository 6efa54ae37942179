/**
 * One data interface, two sources: the live view reads `FlowEvent`s from a `FlowSource`
 * that is either live (the console backend's merged SSE stream) or recorded (a JSON trace, replayed
 * at once or paced). Presenter mode, Playwright fixtures and bug reports use recordings.
 */
import { type FlowEvent, FlowEventSchema } from '@xaa/protocol';
import type { FlowLogState } from './flow-log-state.ts';

export interface FlowSource {
  readonly kind: 'live' | 'recorded';
  /** Start feeding `state`; returns a function that stops it. */
  connect(state: FlowLogState): () => void;
}

/** The recording file format: `{ "events": FlowEvent[] }` or a bare array. */
export interface FlowRecording {
  version?: 1;
  title?: string;
  events: FlowEvent[];
}

export class RecordingError extends Error {
  constructor(
    message: string,
    readonly index?: number,
  ) {
    super(message);
    this.name = 'RecordingError';
  }
}

/** Parse and validate a recording; unknown fields inside events are kept, malformed events refused. */
export function parseRecording(input: unknown): FlowRecording {
  const list = Array.isArray(input) ? input : (input as { events?: unknown } | null)?.events;
  if (!Array.isArray(list)) throw new RecordingError('A recording is a JSON array of flow events, or {"events": [...]}.');
  const events: FlowEvent[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = FlowEventSchema.safeParse(list[i]);
    if (!r.success) throw new RecordingError(`Event ${i} is not a flow event: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`, i);
    events.push(list[i] as FlowEvent);
  }
  const title = (input as { title?: unknown })?.title;
  return { version: 1, ...(typeof title === 'string' ? { title } : {}), events };
}

export function toRecording(events: readonly FlowEvent[], title?: string): FlowRecording {
  return { version: 1, ...(title ? { title } : {}), events: [...events] };
}

export class RecordedFlowSource implements FlowSource {
  readonly kind = 'recorded';
  constructor(
    readonly recording: FlowRecording,
    /** 0 = everything at once; otherwise replay speed (1 = real time, 10 = ten times faster). */
    readonly speed = 0,
  ) {}

  connect(state: FlowLogState): () => void {
    const label = this.recording.title ?? `${this.recording.events.length} events`;
    state.setSourceState({ kind: 'recorded', status: 'open', detail: label });
    if (this.speed <= 0) {
      state.append(this.recording.events);
      return () => state.setSourceState({ kind: 'recorded', status: 'closed', detail: label });
    }
    const events = this.recording.events;
    let i = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const t0 = events.length > 0 ? Date.parse((events[0] as FlowEvent).time) : 0;
    const started = Date.now();
    const tick = () => {
      const elapsed = (Date.now() - started) * this.speed;
      const batch: FlowEvent[] = [];
      while (i < events.length && Date.parse((events[i] as FlowEvent).time) - t0 <= elapsed) batch.push(events[i++] as FlowEvent);
      if (batch.length) state.append(batch);
      if (i < events.length) timer = setTimeout(tick, 50);
      else state.setSourceState({ kind: 'recorded', status: 'closed', detail: `${label} (replayed)` });
    };
    tick();
    return () => {
      if (timer) clearTimeout(timer);
    };
  }
}

/** The backend's merged stream: first the recent events, then SSE; appends are batched per frame. */
export class LiveFlowSource implements FlowSource {
  readonly kind = 'live';
  constructor(
    private readonly base = '',
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  connect(state: FlowLogState): () => void {
    let closed = false;
    let pending: FlowEvent[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      flushTimer = undefined;
      if (pending.length) state.append(pending);
      pending = [];
    };
    const push = (e: FlowEvent) => {
      pending.push(e);
      flushTimer ??= setTimeout(flush, 60);
    };
    state.setSourceState({ kind: 'live', status: 'connecting' });
    this.fetchFn(`${this.base}/api/events?limit=2000`, { credentials: 'same-origin' })
      .then((r) => (r.ok ? (r.json() as Promise<{ events: FlowEvent[] }>) : { events: [] }))
      .then((body) => !closed && state.append(body.events ?? []))
      .catch(() => {});
    const es = new EventSource(`${this.base}/api/events/stream`, { withCredentials: true });
    es.onopen = () => state.setSourceState({ ...state.snapshot().sourceState, kind: 'live', status: 'open' });
    es.onerror = () =>
      state.setSourceState({ ...state.snapshot().sourceState, kind: 'live', status: es.readyState === EventSource.CLOSED ? 'closed' : 'connecting' });
    es.addEventListener('flow', (m) => {
      try {
        push(JSON.parse((m as MessageEvent<string>).data) as FlowEvent);
      } catch {
        // a malformed upstream event is skipped, not fatal
      }
    });
    es.addEventListener('source', (m) => {
      try {
        const s = JSON.parse((m as MessageEvent<string>).data) as { source: string; label: string; state: 'up' | 'down'; reason?: string };
        state.updateUpstream(s.source, { label: s.label, state: s.state, ...(s.reason ? { reason: s.reason } : {}) });
      } catch {
        // ignore
      }
    });
    es.addEventListener('signed-out', () => {
      es.close();
      state.setSourceState({ kind: 'live', status: 'error', detail: 'Signed out: sign in again.' });
    });
    return () => {
      closed = true;
      es.close();
      // Events still batched are dropped: the store may already belong to another source.
      if (flushTimer) clearTimeout(flushTimer);
      pending = [];
      state.setSourceState({ kind: 'live', status: 'closed' });
    };
  }
}

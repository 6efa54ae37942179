/** W3C Trace Context `traceparent` (version 00): one user action = one trace across four parties. */

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Random lowercase hex, `bytes` long (at most 15), from a random UUID: `randomUUID`
 * draws from a pooled buffer on Node (one `getRandomValues` call per id costs more than the id). The
 * UUID's version and variant digits (12 and 16 of its 32) are skipped: every digit returned is random.
 */
function hex(bytes: number): string {
  // Browsers offer randomUUID only in secure contexts (a console reached over plain http on a LAN is not one).
  if (typeof crypto.randomUUID !== 'function')
    return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx: 30 random digits around the fixed ones.
  const u = crypto.randomUUID();
  return `${u.slice(0, 8)}${u.slice(9, 13)}${u.slice(15, 18)}${u.slice(20, 23)}${u.slice(24)}`.slice(0, bytes * 2);
}

export interface TraceContext {
  traceId: string;
  spanId: string;
}

/**
 * A new trace. Its id begins with the current time (epoch milliseconds, 6 bytes, as in a UUIDv7,
 * RFC 9562 §5.7) and ends with 10 random bytes, so ids sort by when their trace began: the IdP's audit
 * indexes every row by trace, and an index whose new keys arrive in order grows at its last page,
 * where random keys would each dirty a page of their own in every commit (three rows per token
 * exchange). W3C Trace Context Level 2 (§3.2.2.3, the random-trace-id flag) asks only the right-most
 * 7 bytes to be random; a trace id received in `traceparent` is kept as it came (docs/decisions.md §5).
 */
export function newTrace(): TraceContext {
  return { traceId: Date.now().toString(16).padStart(12, '0').slice(-12) + hex(10), spanId: hex(8) };
}

/** A trace id's short form for labels: its last 8 digits, random in every id `newTrace` makes (its first digits are a time). */
export function shortTraceId(traceId: string): string {
  return traceId.slice(-8);
}

export function parseTraceparent(value: string | null | undefined): TraceContext | undefined {
  const m = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!m || /^0+$/.test(m[1] as string) || /^0+$/.test(m[2] as string)) return undefined;
  return { traceId: m[1] as string, spanId: m[2] as string };
}

/** A child span of `trace` (or a new trace), formatted for the header. */
export function formatTraceparent(trace: TraceContext = newTrace(), newSpan = true): string {
  return `00-${trace.traceId}-${newSpan ? hex(8) : trace.spanId}-01`;
}

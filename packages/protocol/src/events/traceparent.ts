/** W3C Trace Context `traceparent` (version 00): one user action = one trace across four parties. */

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * Random lowercase hex, `bytes` long (at most 16), from a random UUID: `randomUUID` draws from a pooled
 * buffer on Node (one `getRandomValues` call per id costs more than the id), and 122 random bits are
 * more than a trace id needs (W3C Trace Context §3.2.2.3).
 */
function hex(bytes: number): string {
  // Browsers offer randomUUID only in secure contexts (a console reached over plain http on a LAN is not one).
  if (typeof crypto.randomUUID !== 'function')
    return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
  return crypto
    .randomUUID()
    .replace(/-/g, '')
    .slice(0, bytes * 2);
}

export interface TraceContext {
  traceId: string;
  spanId: string;
}

export function newTrace(): TraceContext {
  return { traceId: hex(16), spanId: hex(8) };
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

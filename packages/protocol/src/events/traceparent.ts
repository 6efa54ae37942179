/** W3C Trace Context `traceparent` (version 00): one user action = one trace across four parties. */

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function hex(bytes: number): string {
  const a = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('');
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

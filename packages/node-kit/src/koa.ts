/** Koa glue shared by the apps: trace context, JSON errors, the events API and its SSE stream. */
import type { FlowEvent } from '@xaa/protocol';
import { formatTraceparent, isOAuthError, newTrace, parseTraceparent, type TraceContext } from '@xaa/protocol';
import type { Context, Middleware, Next } from 'koa';
import type { StreamCredential } from './admin-auth.ts';
import type { FlowLog } from './flow-log.ts';
import { openSse } from './sse.ts';

declare module 'koa' {
  interface DefaultState {
    trace: TraceContext;
  }
}

/** W3C traceparent: record the caller's trace, or start one (docs/decisions.md §5). */
export function traceContext(): Middleware {
  return async function traceContext(ctx: Context, next: Next) {
    const trace = parseTraceparent(ctx.get('traceparent')) ?? newTrace();
    ctx.state.trace = trace;
    ctx.set('traceparent', formatTraceparent(trace, false));
    await next();
  };
}

/**
 * Pages that take a password or a consent decision must not be framed by another origin, or a page
 * can overlay them and steal the click (clickjacking): CSP `frame-ancestors 'none'` (CSP Level 3
 * §6.4.2) and, for browsers without it, `X-Frame-Options: DENY` (RFC 7034; OAuth security BCP,
 * RFC 9700 §4.16).
 */
export function noFraming(): Middleware {
  return async function noFraming(ctx: Context, next: Next) {
    ctx.set('Content-Security-Policy', "frame-ancestors 'none'");
    ctx.set('X-Frame-Options', 'DENY');
    await next();
  };
}

/**
 * One error renderer for JSON APIs (admin and the like): OAuth errors keep their code, a body parser
 * failure is a 400/413/415, anything unknown is a logged `500 server_error` without internals.
 */
export function jsonErrors(label: string): Middleware {
  return async function jsonErrors(ctx: Context, next: Next) {
    try {
      await next();
    } catch (e) {
      const err = e as { status?: number; statusCode?: number; expose?: boolean; message?: string };
      ctx.set('Cache-Control', 'no-store');
      if (isOAuthError(e)) {
        ctx.status = e.status;
        ctx.body = e.toJSON();
        return;
      }
      // A body that does not decompress as its Content-Encoding claims is the client's error (zlib codes
      // Z_DATA_ERROR, Z_BUF_ERROR…, brotli ERR__ERROR_…, which the body parser passes on without a status).
      const zlib = /^(Z_[A-Z_]+|ERR__ERROR_[A-Z0-9_]+)$/.test(String((e as { code?: unknown }).code ?? ''));
      const status = err.status ?? err.statusCode ?? (zlib ? 400 : undefined);
      if (status && status >= 400 && status < 500) {
        ctx.status = status;
        ctx.body = {
          error: status === 413 ? 'request_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request',
          error_description: zlib
            ? 'The request body does not match its Content-Encoding.'
            : err.expose && err.message
              ? err.message
              : 'The request could not be processed.',
        };
        return;
      }
      console.error(`[${label}] unexpected error:`, e);
      ctx.status = 500;
      ctx.body = { error: 'server_error', error_description: 'An unexpected error occurred.' };
    }
  };
}

/**
 * `GET {base}/events` (recent events, `?after=<id>&limit=&traceId=`) and `GET {base}/events/stream`
 * (SSE, `event: flow`, honours `Last-Event-ID`). Mount behind `requireAdmin`.
 */
export function eventsRoutes(log: FlowLog, base = '/admin', options: { recheckMs?: number } = {}): Middleware {
  return async function eventsRoutes(ctx: Context, next: Next) {
    if (ctx.method !== 'GET') return next();
    if (ctx.path === `${base}/events`) {
      const q = ctx.query;
      const limit = Number.parseInt(String(q.limit ?? '500'), 10);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        events: log.recent({
          ...(typeof q.after === 'string' ? { after: q.after } : {}),
          ...(typeof q.traceId === 'string' ? { traceId: q.traceId } : {}),
          limit: Number.isFinite(limit) ? limit : 500,
        }),
      };
      return;
    }
    if (ctx.path === `${base}/events/stream`) return sse(ctx, log, options.recheckMs ?? STREAM_RECHECK_MS);
    return next();
  };
}

/** How often an open event stream asks whether the credential that opened it is still current. */
export const STREAM_RECHECK_MS = 2000;

/**
 * An event stream ends when the credential that opened it does (`ctx.state.credential`, set by
 * `requireAdmin`): at its `exp`, or at the first recheck after it was revoked (RFC 6750 §3.1: the
 * token is no longer valid, so neither is what it opened). The last thing sent is an `end` event
 * naming the reason.
 */
function sse(ctx: Context, log: FlowLog, recheckMs: number): Promise<void> {
  const credential = ctx.state.credential as StreamCredential | undefined;
  const res = ctx.res;
  const stream = openSse(ctx);
  const write = (e: FlowEvent) => stream.send({ id: e.id, event: 'flow', data: JSON.stringify(e) });
  const last = ctx.get('last-event-id');
  if (last) for (const e of log.recent({ after: last, limit: 1000 })) write(e);
  stream.comment('connected');
  const unsubscribe = log.subscribe(write);
  return new Promise((resolve) => {
    let expiry: NodeJS.Timeout | undefined;
    let recheckTimer: NodeJS.Timeout | undefined;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(expiry);
      clearTimeout(recheckTimer);
      unsubscribe();
      resolve();
    };
    const end = (reason: string) => {
      if (finished) return;
      stream.end({ event: 'end', data: JSON.stringify({ reason }) });
      done();
    };
    if (credential) {
      const left = credential.exp * 1000 - Date.now();
      expiry = setTimeout(() => end('The access token that opened this stream has expired.'), Math.max(0, Math.min(left, 2 ** 31 - 1)));
      const recheck = async () => {
        if (finished) return;
        const revoked = await credential.current();
        if (revoked) return end(revoked);
        if (!finished) recheckTimer = setTimeout(recheck, recheckMs);
      };
      recheckTimer = setTimeout(recheck, recheckMs);
    }
    ctx.req.on('close', done);
    res.on('close', done);
    res.on('error', done);
  });
}

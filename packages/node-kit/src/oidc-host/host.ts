/**
 * Request plumbing every oidc-provider host shares: the W3C trace of each request (kept on the Node
 * request, so oidc-provider's event listeners find it) and Host header validation.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatTraceparent, InvalidRequest, newTrace, parseTraceparent, type TraceContext } from '@xaa/protocol';
import type { Middleware } from 'koa';
import { renderOAuthError } from './errors.ts';

const traces = new WeakMap<object, TraceContext>();

export function setRequestTrace(req: object, trace: TraceContext): void {
  traces.set(req, trace);
}

/** The request's trace; a fresh one when none was recorded (a request that bypassed the Koa app). */
export function requestTrace(req: object): TraceContext {
  let t = traces.get(req);
  if (!t) {
    t = newTrace();
    traces.set(req, t);
  }
  return t;
}

/**
 * For a request handled without the Koa app: what `traceContext()` and `shareTrace()` do there (the
 * caller's W3C trace or a new one, echoed in `traceparent`, kept on the Node request).
 */
export function traceNodeRequest(req: IncomingMessage, res: ServerResponse): TraceContext {
  const header = req.headers.traceparent;
  const trace = (typeof header === 'string' ? parseTraceparent(header) : undefined) ?? newTrace();
  res.setHeader('traceparent', formatTraceparent(trace, false));
  setRequestTrace(req, trace);
  return trace;
}

/** A defect in a request handled without the Koa app, answered as Koa would answer it: a bare 500, or a cut connection once the answer has begun. */
export function answerDefect(res: ServerResponse): void {
  if (!res.headersSent) {
    res.statusCode = 500;
    res.end();
  } else res.destroy();
}

/** Keep `ctx.state.trace` (set by `traceContext()`) on the Node request. */
export function shareTrace(): Middleware {
  return async function shareTrace(ctx, next) {
    setRequestTrace(ctx.req, ctx.state.trace as TraceContext);
    await next();
  };
}

/**
 * RFC 9110 §7.2: a Host that is not host[:port] names no origin; oidc-provider would build invalid
 * URLs from it (registration_client_uri…) and answer 500. A 400 up front instead.
 */
export function validHost(): Middleware {
  const isValid = hostCheck();
  return async function validHost(ctx, next) {
    if (isValid(ctx.get('host'))) return next();
    renderOAuthError(ctx, new InvalidRequest('The Host header does not name a host.', { code: 'ERR_HOST_INVALID', specRef: 'RFC 9110 §7.2' }));
  };
}

/**
 * The RFC 9110 §7.2 Host check (`validHost`) as a predicate, for a request that bypasses the Koa app.
 * Nearly every request names one of a few hosts: the last one found valid is remembered
 * (URL.canParse is not cheap).
 */
export function hostCheck(): (host: string) => boolean {
  let lastValid: string | undefined;
  return (host) => {
    if (host === lastValid) return true;
    if (!URL.canParse(`http://${host}/`)) return false;
    lastValid = host;
    return true;
  };
}

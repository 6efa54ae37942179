/**
 * One guard for every admin and API surface (`/admin` on each app, `/api` on the console backend).
 *
 * The surface's routers are mounted *inside* the guard: they are only ever reached through it, so no
 * spelling of a path can get to a handler without passing the guard first. Which requests belong to
 * the surface is decided by a deliberately loose match (case-folded, percent-decoded, backslashes and
 * repeated slashes collapsed, dot segments resolved, anything after the prefix that is not a name
 * character): every spelling a router or a browser might treat as the surface gets the guard's answer
 * (401) — the safety does not depend on this match, only the quality of the answer does. The routers
 * themselves are case-sensitive and strict (`surfaceRouter`), so a path that differs from a route by
 * case, a doubled or encoded slash, a dot segment or a suffix matches nothing and ends in the
 * surface's 404.
 *
 * What this does not do: authenticate. `guard` is the app's own check (`requireAdmin`, a console
 * session); it must call `next` only for an authorised caller.
 */
import Router, { type RouterOptions } from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import compose from 'koa-compose';

/** Router options for a guarded surface: routes match byte for byte (no case folding, no trailing slash). */
export const SURFACE_ROUTER_OPTIONS = { sensitive: true, strict: true } as const satisfies RouterOptions;

/** A case-sensitive, strict @koa/router for a guarded surface. */
export function surfaceRouter(prefix?: string): Router {
  return new Router({ ...SURFACE_ROUTER_OPTIONS, ...(prefix ? { prefix } : {}) });
}

function decodeOnce(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // A lone `%`: decode what can be decoded, keep the rest.
    return s.replace(/%[0-9a-f]{2}/gi, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
}

/**
 * A loose reading of a request path: what a lenient router, proxy or browser might take it to mean.
 * Percent-decoding is repeated (bounded) so `%252f` reads as `/`; with `dots`, dot segments are resolved.
 */
export function loosePath(path: string, dots = true): string {
  let p = path;
  for (let i = 0; i < 4; i++) {
    const d = decodeOnce(p);
    if (d === p) break;
    p = d;
  }
  p = p
    .replace(/\\/g, '/')
    .replace(/\/{2,}/g, '/')
    .toLowerCase();
  if (!dots) return p.startsWith('/') ? p : `/${p}`;
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '.') continue;
    if (seg === '..') {
      if (out.length > 1) out.pop();
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}

/**
 * True when some reading of `path` falls under `prefix` (`/admin`, `/admin/…`, `/ADMIN;x`,
 * `/admin.json`, `/%61dmin`, `/x/../admin`, and `/admin/../x` too: it was sent to the surface).
 */
export function underPrefix(path: string, prefix: string): boolean {
  const want = prefix.toLowerCase();
  return [loosePath(path, false), loosePath(path)].some((p) => {
    if (!p.startsWith(want)) return false;
    const rest = p.slice(want.length);
    return rest === '' || !/^[a-z0-9_~-]/.test(rest);
  });
}

export interface GuardedSurfaceOptions {
  /** The surface's prefix exactly as its routes spell it: `/admin`, `/api`. */
  prefix: string;
  /** Runs first for every request of the surface (error renderer, Host check, headers). */
  before?: Middleware[];
  /** Routers answered before the guard (a public document); they must be `surfaceRouter`s. */
  open?: Router[];
  /** The authentication step: calls `next` only for an authorised caller. */
  guard: Middleware;
  /** Everything the surface serves, mounted inside the guard. Routers get their `allowedMethods()` too. */
  routers: Array<Router | Middleware>;
  /** The answer when nothing inside matched (default: a JSON 404). */
  notFound?: Middleware;
}

const defaultNotFound: Middleware = async (ctx) => {
  ctx.status = 404;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'not_found', error_description: 'There is no such resource.' };
};

/** Koa middleware for one guarded surface: requests outside it pass on; inside it they never leave it. */
export function guardedSurface(options: GuardedSurfaceOptions): Middleware {
  const asMiddleware = (r: Router | Middleware): Middleware[] =>
    r instanceof Router ? [r.routes() as unknown as Middleware, r.allowedMethods() as unknown as Middleware] : [r];
  const stack = compose([
    ...(options.before ?? []),
    ...(options.open ?? []).map((r) => r.routes() as unknown as Middleware),
    options.guard,
    ...options.routers.flatMap(asMiddleware),
    options.notFound ?? defaultNotFound,
  ]);
  const prefix = options.prefix;
  return async function guardedSurface(ctx: Context, next: Next) {
    if (!underPrefix(ctx.path, prefix)) return next();
    // The surface ends here whatever happens inside: nothing downstream of it sees its requests.
    await stack(ctx, async () => {});
  };
}

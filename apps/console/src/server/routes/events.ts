/**
 * The merged event stream (docs/decisions.md §5, docs/contracts.md "Flow events"): the console backend subscribes to every app's
 * `/admin/events/stream` with the admin's token for that API and relays `flow` events to the browser
 * as one SSE stream, plus `source` events telling which upstream is connected. `GET /api/events`
 * merges the apps' recent events (sorted by time) for the initial view.
 */
import type { FlowEvent } from '@xaa/protocol';
import type { Context, Middleware, Next } from 'koa';
import type { AdminApi } from '../admin-apis.ts';
import { type AdminTokens, SignedOut } from '../admin-tokens.ts';
import type { ConsoleConfig } from '../config.ts';
import type { SessionStore } from '../sessions.ts';
import { readSse } from '../sse.ts';

export interface EventsDeps {
  apis: readonly AdminApi[];
  tokens: AdminTokens;
  config: ConsoleConfig;
  fetchFn: typeof fetch;
  /** With these, the merged stream ends when the session that opened it expires or is revoked. */
  sessions?: SessionStore;
  /** Is a session's admin token still current at the IdP? (node-kit idpAdminTokenStatus) */
  status?: (token: string) => Promise<string | undefined>;
  /** How often an open stream rechecks its session (default 2 s). */
  recheckMs?: number;
}

export function eventsRoutes(deps: EventsDeps): Middleware {
  return async function events(ctx: Context, next: Next) {
    if (ctx.method !== 'GET') return next();
    if (ctx.path === '/api/events') return recent(ctx, deps);
    if (ctx.path === '/api/events/stream') return stream(ctx, deps);
    return next();
  };
}

async function recent(ctx: Context, deps: EventsDeps) {
  const session = ctx.state.session;
  const sessionId = ctx.state.sessionId;
  if (!session || !sessionId) return;
  const limit = Math.min(Math.max(Number.parseInt(String(ctx.query.limit ?? '500'), 10) || 500, 1), 5000);
  const traceId = typeof ctx.query.traceId === 'string' && /^[0-9a-f]{32}$/.test(ctx.query.traceId) ? ctx.query.traceId : undefined;
  const sources: Record<string, string> = {};
  const lists = await Promise.all(
    deps.apis.map(async (api) => {
      try {
        const token = await deps.tokens.get(session.key, sessionId, api.base);
        const q = new URLSearchParams({ limit: String(limit), ...(traceId ? { traceId } : {}) });
        const res = await deps.fetchFn(`${api.base}/events?${q}`, {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal: AbortSignal.timeout(deps.config.upstreamTimeoutMs),
        });
        if (!res.ok) {
          sources[api.key] = `HTTP ${res.status}`;
          await res.body?.cancel();
          return [];
        }
        const body = (await res.json()) as { events?: FlowEvent[] };
        sources[api.key] = 'ok';
        return Array.isArray(body.events) ? body.events : [];
      } catch (e) {
        if (e instanceof SignedOut) throw e;
        sources[api.key] = 'unreachable';
        return [];
      }
    }),
  ).catch((e) => {
    if (e instanceof SignedOut) return undefined;
    throw e;
  });
  ctx.set('Cache-Control', 'no-store');
  if (!lists) {
    ctx.status = 401;
    ctx.body = { error: 'login_required', error_description: 'Sign in again.' };
    return;
  }
  const seen = new Set<string>();
  const events = lists
    .flat()
    .filter((e) => e && typeof e.id === 'string' && !seen.has(e.id) && seen.add(e.id))
    .sort((a, b) => (a.time === b.time ? (a.id < b.id ? -1 : 1) : a.time < b.time ? -1 : 1))
    .slice(-limit);
  ctx.body = { events, sources };
}

function stream(ctx: Context, deps: EventsDeps): Promise<void> {
  const session = ctx.state.session;
  const sessionId = ctx.state.sessionId;
  if (!session || !sessionId) return Promise.resolve();
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.respond = false;
  const res = ctx.res;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const abort = new AbortController();
  const write = (event: string, data: string, id?: string) => {
    if (!res.writableEnded) res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${data}\n\n`);
  };
  res.write('retry: 2000\n: connected\n\n');

  // A reconnecting browser sends the last id it saw. Event ids are time-ordered across the apps of one
  // playground, so each upstream can resume after it; the browser's store drops duplicates by id.
  const resumeFrom = /^[\w-]{1,100}$/.test(ctx.get('last-event-id')) ? ctx.get('last-event-id') : undefined;
  const follow = async (api: AdminApi) => {
    let wait = deps.config.streamRetryMs;
    let lastId: string | undefined = resumeFrom;
    let force = false;
    while (!abort.signal.aborted) {
      try {
        const token = await deps.tokens.get(session.key, sessionId, api.base, force);
        force = false;
        const upstream = await deps.fetchFn(`${api.base}/events/stream`, {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(lastId ? { 'last-event-id': lastId } : {}) },
          signal: abort.signal,
        });
        if (!upstream.ok || !upstream.body) {
          await upstream.body?.cancel();
          if (upstream.status === 401) force = true;
          throw new Error(`HTTP ${upstream.status}`);
        }
        write('source', JSON.stringify({ source: api.key, label: api.label, state: 'up' }));
        wait = deps.config.streamRetryMs;
        for await (const message of readSse(upstream.body, abort.signal)) {
          if (message.event !== 'flow') continue;
          if (message.id) lastId = message.id;
          write('flow', message.data, message.id);
        }
      } catch (e) {
        if (abort.signal.aborted) return;
        if (e instanceof SignedOut) {
          write('signed-out', JSON.stringify({ reason: e.message }));
          abort.abort();
          res.end();
          return;
        }
        write('source', JSON.stringify({ source: api.key, label: api.label, state: 'down', reason: (e as Error).message }));
      }
      if (abort.signal.aborted) return;
      await new Promise((r) => setTimeout(r, wait).unref());
      wait = Math.min(wait * 2, deps.config.streamRetryMaxMs);
    }
  };

  for (const api of deps.apis) void follow(api);
  const ping = setInterval(() => !res.writableEnded && res.write(': ping\n\n'), 15_000);
  ping.unref();
  // The stream lives no longer than the session that opened it: its expiry, its removal (sign-out,
  // an upstream refusal), or a revocation at the IdP (checked every recheckMs).
  const signOut = (reason: string) => {
    if (abort.signal.aborted) return;
    write('signed-out', JSON.stringify({ reason }));
    abort.abort();
    res.end();
  };
  const nowS = () => Math.floor(Date.now() / 1000);
  const expiry = setTimeout(() => signOut('The console session has expired.'), Math.max(0, Math.min((session.expiresAt - nowS()) * 1000, 2 ** 31 - 1)));
  let recheck: NodeJS.Timeout | undefined;
  const check = async () => {
    if (abort.signal.aborted || !deps.sessions) return;
    const current = deps.sessions.get(sessionId);
    if (!current?.data.user) return signOut('The console session has ended.');
    const token = Object.values(current.data.tokens ?? {}).find((t) => t.exp > nowS());
    const revoked = deps.status && token ? await deps.status(token.access_token).catch(() => undefined) : undefined;
    if (revoked) {
      deps.sessions.destroy(current);
      return signOut(`The IdP ended this admin session: ${revoked}`);
    }
    if (!abort.signal.aborted) recheck = setTimeout(check, deps.recheckMs ?? 2000);
  };
  recheck = setTimeout(check, deps.recheckMs ?? 2000);
  return new Promise((resolve) => {
    const done = () => {
      clearInterval(ping);
      clearTimeout(expiry);
      clearTimeout(recheck);
      abort.abort();
      resolve();
    };
    ctx.req.on('close', done);
    res.on('close', done);
    res.on('error', done);
  });
}

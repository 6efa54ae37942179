/**
 * `/api/<app>/…` → `<app admin URL>/…` with the signed-in admin's access token for that API.
 * The browser never sees the token. An upstream 401 gets one retry with a renewed token.
 */
import { Readable } from 'node:stream';
import type { Context, Middleware, Next } from 'koa';
import { type AdminApi, resolveApi } from '../admin-apis.ts';
import { type AdminTokens, SignedOut } from '../admin-tokens.ts';
import type { ConsoleConfig } from '../config.ts';

export interface ProxyDeps {
  apis: readonly AdminApi[];
  tokens: AdminTokens;
  config: ConsoleConfig;
  fetchFn: typeof fetch;
}

const FORWARD_REQUEST = ['accept', 'content-type', 'traceparent'];
const FORWARD_RESPONSE = ['content-type', 'content-disposition', 'www-authenticate', 'traceparent', 'location'];

async function readBody(ctx: Context, limit: number): Promise<Buffer | undefined> {
  if (ctx.method === 'GET' || ctx.method === 'HEAD' || ctx.method === 'DELETE') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) ctx.throw(413, `The request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function proxyRoutes(deps: ProxyDeps): Middleware {
  return async function proxy(ctx: Context, next: Next) {
    if (!ctx.path.startsWith('/api/')) return next();
    const target = resolveApi(deps.apis, ctx.path.slice('/api/'.length));
    if (!target) return next();
    const session = ctx.state.session;
    const sessionId = ctx.state.sessionId;
    if (!session || !sessionId) return next();

    const url = `${target.api.base}${target.path === '/' ? '' : target.path}${ctx.querystring ? `?${ctx.querystring}` : ''}`;
    // The admin's token goes to that API only: no dot-segment (%2e%2e) may climb out of its base path.
    const basePath = new URL(target.api.base).pathname;
    const resolved = new URL(url);
    if (resolved.origin !== new URL(target.api.base).origin || (resolved.pathname !== basePath && !resolved.pathname.startsWith(`${basePath}/`))) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: `The path must stay under ${target.api.base}.` };
      return;
    }
    const body = await readBody(ctx, deps.config.maxBody);
    const headers = new Headers();
    for (const h of FORWARD_REQUEST) if (ctx.get(h)) headers.set(h, ctx.get(h));

    const send = async (force: boolean) => {
      const token = await deps.tokens.get(session.key, sessionId, target.api.base, force);
      headers.set('authorization', `Bearer ${token}`);
      return deps.fetchFn(resolved, {
        method: ctx.method,
        headers,
        ...(body ? { body: new Uint8Array(body) } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(deps.config.upstreamTimeoutMs),
      });
    };

    let upstream: Response;
    try {
      upstream = await send(false);
      if (upstream.status === 401) {
        await upstream.body?.cancel();
        upstream = await send(true);
      }
    } catch (e) {
      ctx.set('Cache-Control', 'no-store');
      if (e instanceof SignedOut) {
        ctx.status = 401;
        ctx.body = { error: 'login_required', error_description: e.message };
        return;
      }
      const err = e as { error?: string; error_description?: string; name?: string; message?: string };
      if (err.error) {
        // The IdP refused to issue a token for this API.
        ctx.status = 502;
        ctx.body = {
          error: 'token_unavailable',
          error_description: `The IdP did not issue a token for ${target.api.base}: ${err.error} ${err.error_description ?? ''}`.trim(),
        };
        return;
      }
      ctx.status = err.name === 'TimeoutError' ? 504 : 502;
      ctx.body = { error: 'upstream_unavailable', error_description: `${target.api.label} (${target.api.base}) is not reachable.` };
      return;
    }
    ctx.status = upstream.status;
    ctx.set('Cache-Control', 'no-store');
    for (const h of FORWARD_RESPONSE) {
      const v = upstream.headers.get(h);
      if (v) ctx.set(h, v);
    }
    if (upstream.status === 204 || upstream.status === 304 || !upstream.body) {
      ctx.body = null;
      if (upstream.status !== 204 && upstream.status !== 304) ctx.body = '';
      return;
    }
    ctx.body = Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream);
  };
}

/**
 * DNS-rebinding protection for admin and API surfaces (MCP security best practices, "local MCP server
 * compromise"; RFC 9110 §7.2): a page on another site whose name a resolver re-points to 127.0.0.1
 * reaches a loopback server with its own name in `Host`. Only requests whose `Host` names this app (or
 * a loopback name) are served, and a browser's `Origin`, when sent, must name such a host too.
 */
import type { Context, Middleware, Next } from 'koa';

export const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

/** The hostnames an app answers to: those of its own URLs, plus the loopback names. */
export function allowedHostnamesFor(urls: readonly string[], extra: readonly string[] = []): string[] {
  return [...new Set([...urls.map((u) => new URL(u).hostname.toLowerCase()), ...LOOPBACK_HOSTNAMES, ...extra.map((h) => h.toLowerCase())])];
}

function hostnameOf(value: string, scheme: boolean): string | undefined {
  const url = scheme ? value : `http://${value}`;
  if (!URL.canParse(url)) return undefined;
  const u = new URL(url);
  if (scheme && u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  return u.hostname.toLowerCase();
}

export function hostCheck(hostnames: readonly string[]): Middleware {
  const allowed = new Set(hostnames.map((h) => h.toLowerCase()));
  return async function hostCheck(ctx: Context, next: Next) {
    const host = hostnameOf(ctx.get('host'), false);
    const origin = ctx.get('origin');
    const why = !host || !allowed.has(host) ? 'Host' : origin && !allowed.has(hostnameOf(origin, true) ?? '') ? 'Origin' : undefined;
    if (why) {
      ctx.status = 403;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { error: 'invalid_request', error_description: `Forbidden: this ${why} header does not name this server.` };
      return;
    }
    await next();
  };
}

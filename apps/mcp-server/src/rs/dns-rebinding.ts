/**
 * DNS-rebinding protection (MCP security best practices, "local MCP server compromise"): the MCP
 * endpoint answers only requests whose `Host` names this server (or a loopback name) and whose
 * `Origin`, when a browser sends one, is such a host too. Built on the SDK's header validators.
 */
import { validateHostHeader, validateOriginHeader } from '@modelcontextprotocol/server';
import type { ServerDef } from '@xaa/topology';
import type { Context, Next } from 'koa';

export function allowedHostnames(def: ServerDef, extra: readonly string[] = []): string[] {
  return [...new Set([new URL(def.issuer).hostname, 'localhost', '127.0.0.1', '[::1]', ...extra])];
}

export function dnsRebindingProtection(hostnames: string[]) {
  return async function dnsRebindingProtection(ctx: Context, next: Next) {
    const host = validateHostHeader(ctx.get('host') || undefined, hostnames);
    const origin = host.ok ? validateOriginHeader(ctx.get('origin') || undefined, hostnames) : undefined;
    const failure = !host.ok ? host : origin && !origin.ok ? origin : undefined;
    if (failure) {
      ctx.status = 403;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { jsonrpc: '2.0', error: { code: -32000, message: `Forbidden: ${failure.message}` }, id: null };
      return;
    }
    await next();
  };
}

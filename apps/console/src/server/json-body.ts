import type { Context } from 'koa';

/**
 * A JSON request body read up to `limit` characters (413 beyond it); undefined when it is not JSON,
 * so the route's schema answers with a 400 that names what is missing.
 */
export async function readJson(ctx: Context, limit: number, tooLarge = 'The request body is too large.'): Promise<unknown> {
  let raw = '';
  for await (const chunk of ctx.req) {
    raw += chunk;
    if (raw.length > limit) ctx.throw(413, tooLarge);
  }
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

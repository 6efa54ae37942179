/** Shared admin-API plumbing: zod validation with a `fields` map, 404s, and `admin.change` events. */
import { type AdminPrincipal, invalidRequestBody } from '@xaa/node-kit';
import type { Context } from 'koa';
import { type ZodType, z } from 'zod';
import type { IdpContext } from '../context.ts';

export class AdminProblem extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly fields?: Record<string, string>,
  ) {
    super(description);
  }
}

export function sendProblem(ctx: Context, p: AdminProblem): void {
  ctx.status = p.status;
  ctx.body = { error: p.error, error_description: p.description, ...(p.fields ? { fields: p.fields } : {}) };
}

/** Run a handler; AdminProblems become their JSON answer. */
export function handle(fn: (ctx: Context) => unknown | Promise<unknown>) {
  return async (ctx: Context) => {
    try {
      await fn(ctx);
    } catch (e) {
      if (e instanceof AdminProblem) return sendProblem(ctx, e);
      throw e;
    }
  };
}

/** Validate a body (or query) against a strict zod schema: unknown fields are errors too. */
export function parse<T>(schema: ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const body = invalidRequestBody(result.error.issues);
  throw new AdminProblem(400, body.error, body.error_description, body.fields);
}

export function notFound(what: string, id: string): AdminProblem {
  return new AdminProblem(404, 'not_found', `No ${what} ${JSON.stringify(id)}.`);
}

export function conflict(description: string): AdminProblem {
  return new AdminProblem(409, 'conflict', description);
}

export function actorOf(idp: IdpContext, ctx: Context): string {
  const admin = ctx.state.admin as AdminPrincipal | undefined;
  if (!admin) return 'unknown';
  const user = admin.sub ? idp.directory.getUser(admin.sub) : undefined;
  return user?.username ?? admin.client_id ?? admin.sub;
}

export function recordChange(idp: IdpContext, ctx: Context, summary: string, data: Record<string, unknown>): void {
  idp.flowLog.emit({
    traceId: ctx.state.trace.traceId,
    party: 'idp',
    step: 'admin.change',
    outcome: 'ok',
    summary: `${actorOf(idp, ctx)}: ${summary}`,
    data: { actor: actorOf(idp, ctx), ...data },
  });
}

// ---- shared field schemas -----------------------------------------------------------------------

export const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Use lowercase letters, digits, dot, dash or underscore.');

/** An issuer / resource identifier: absolute http(s) URL without query, fragment or trailing slash (design §4). */
export const identifierUrl = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.search && !u.hash && !v.endsWith('/');
    } catch {
      return false;
    }
  }, 'Must be an absolute http(s) URL without query, fragment or trailing slash.');

export const redirectUrl = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.hash;
    } catch {
      return false;
    }
  }, 'Must be an absolute http(s) URL without fragment.');

export const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'Not a valid scope token (RFC 6749 §3.3).');

export const audienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('groups'), groups: z.array(slug).min(1).max(100) }).strict(),
  z.object({ kind: z.literal('users'), users: z.array(z.string().min(1).max(64)).min(1).max(1000) }).strict(),
]);

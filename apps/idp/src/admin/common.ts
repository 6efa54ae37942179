/**
 * Shared admin-API plumbing: validation against the @xaa/admin-contracts schemas with a `fields` map,
 * 404s, and `admin.change` events.
 */
import { type AdminPrincipal, invalidRequestBody } from '@xaa/node-kit';
import type { Context } from 'koa';
import type { ZodType } from 'zod';
import type { AuditLog } from '../audit.ts';
import type { IdpContext } from '../context.ts';
import type { ProviderHost } from '../provider/host.ts';

/** What every admin route module gets from the router. */
export interface AdminDeps {
  idp: IdpContext;
  audit: AuditLog;
  host: ProviderHost;
}

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

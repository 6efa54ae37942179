/**
 * One user action (login, connect, call…) = one W3C trace across the four parties (docs/decisions.md §5).
 * The action context travels with the async call chain (AsyncLocalStorage), so every request the
 * agent makes — including those the MCP SDK makes on its behalf (discovery, the 401 re-exchange,
 * the 403 step-up) — carries the action's `traceparent` and is attributed to the right user, app
 * and server in the flow events.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FlowLog } from '@xaa/node-kit';
import { newTrace } from '@xaa/protocol';

export interface ActionContext {
  readonly traceId: string;
  /** `login`, `connect`, `call`, `refresh`… (for summaries and the CLI). */
  readonly action: string;
  readonly flowLog: FlowLog;
  readonly idpIssuer: string;
  /** Who and what, copied into every event's `subject`. */
  readonly subject: { user?: string; client?: string; server?: string };
  /** Extra event data, e.g. the lineage of a sub-agent token (same login, same ID token). */
  readonly data: Record<string, unknown>;
}

const storage = new AsyncLocalStorage<ActionContext>();

export function currentAction(): ActionContext | undefined {
  return storage.getStore();
}

/** Start a new trace for one user action. An `inherit`ed trace id continues a caller's trace. */
export function runAction<T>(
  base: { action: string; flowLog: FlowLog; idpIssuer: string; traceId?: string; subject?: ActionContext['subject'] },
  fn: (ctx: ActionContext) => Promise<T>,
): Promise<T> {
  const ctx: ActionContext = {
    traceId: base.traceId ?? newTrace().traceId,
    action: base.action,
    flowLog: base.flowLog,
    idpIssuer: base.idpIssuer,
    subject: base.subject ?? {},
    data: {},
  };
  return storage.run(ctx, () => fn(ctx));
}

/** Narrow the current action (e.g. to one server) for the duration of `fn`. */
export function withinAction<T>(patch: { subject?: ActionContext['subject']; data?: Record<string, unknown> }, fn: () => Promise<T>): Promise<T> {
  const ctx = storage.getStore();
  if (!ctx) return fn();
  const next: ActionContext = {
    ...ctx,
    subject: { ...ctx.subject, ...patch.subject },
    data: { ...ctx.data, ...patch.data },
  };
  return storage.run(next, fn);
}

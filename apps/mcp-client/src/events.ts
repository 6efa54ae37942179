/** Client-side flow events that are not one HTTP exchange (those come from `instrumentedFetch`). */
import type { FlowEventInput, FlowStep } from '@xaa/protocol';
import type { HeadlessStep } from '@xaa/user-agent';
import { currentAction } from './action.ts';

export function emitClientEvent(
  step: FlowStep,
  outcome: FlowEventInput['outcome'],
  summary: string,
  extra: Pick<Partial<FlowEventInput>, 'http' | 'tokens' | 'error' | 'data'> = {},
): void {
  const ctx = currentAction();
  if (!ctx) return;
  ctx.flowLog.emit({
    traceId: ctx.traceId,
    party: 'client',
    step,
    outcome,
    summary,
    subject: ctx.subject,
    ...(extra.http ? { http: extra.http } : {}),
    ...(extra.tokens ? { tokens: extra.tokens } : {}),
    ...(extra.error ? { error: extra.error } : {}),
    data: { ...ctx.data, ...extra.data },
  });
}

/** Flow events for the pages a (headless) browser passed through in a front-channel flow. */
export function headlessStepEmitter(flow: 'sso' | 'classic'): (s: HeadlessStep) => void {
  let first = true;
  return (s) => {
    const url = new URL(s.url);
    const where = `${url.origin}${url.pathname}`;
    const outcome = s.status >= 400 ? 'error' : 'ok';
    const http = { method: s.method, url: where, status: s.status, durationMs: s.ms };
    if (s.kind === 'login') {
      emitClientEvent(flow === 'sso' ? 'sso.login' : 'classic.authorize', outcome, `login form submitted at ${url.origin} → ${s.status}`, {
        http,
        data: { form: 'login' },
      });
    } else if (s.kind === 'consent') {
      emitClientEvent(flow === 'sso' ? 'sso.login' : 'classic.consent', outcome, `consent screen approved at ${url.origin} → ${s.status}`, {
        http,
        data: { form: 'consent' },
      });
    } else if (first) {
      emitClientEvent(flow === 'sso' ? 'sso.authorize' : 'classic.authorize', outcome, `authorization request to ${url.origin} → ${s.status}`, { http });
    }
    first = false;
  };
}

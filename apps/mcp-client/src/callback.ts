/**
 * The agent's redirect URI (`/callback`): finishes an OIDC sign-in (leg 1) or a classic authorization
 * started by any process on the same client.db, matched by `state` (RFC 6749 §10.12), once.
 */
import { decodeUnverified } from '@xaa/protocol';
import { runAction } from './action.ts';
import { type ClassicState, finishClassic } from './classic.ts';
import { classicDone, classicProvider } from './classic-connection.ts';
import type { AgentApp } from './config.ts';
import type { LoginHost } from './core.ts';
import { emitClientEvent } from './events.ts';
import { completeLogin, type PendingSso } from './legs/sso.ts';
import type { Outcome } from './outcomes.ts';

export function saveLogin(
  host: LoginHost,
  user: string,
  app: AgentApp,
  t: { idToken: string; idTokenExp: number; sub: string; refreshToken: string | undefined },
  traceId: string,
) {
  host.store.saveSession(
    { user, app: app.name, sub: t.sub, id_token: t.idToken, id_token_exp: t.idTokenExp, refresh_token: t.refreshToken ?? null, login_trace: traceId },
    host.now(),
  );
  host.store.setCurrent(user, app.name);
}

/** The redirect URI: finishes an SSO login or a classic authorization started by any process. */
export async function handleCallback(
  host: LoginHost,
  url: URL,
): Promise<{ outcome: Outcome; kind: 'sso' | 'classic' | 'unknown'; message: string; user?: string | undefined; server?: string | undefined }> {
  const state = url.searchParams.get('state');
  const pending = state ? host.store.getPending(state, host.now()) : undefined;
  if (!state || !pending || pending.result) {
    return {
      outcome: 'error',
      kind: 'unknown',
      message: 'This sign-in response is unknown, expired or already used (state mismatch). Start again from the agent.',
    };
  }
  const traceId = typeof pending.data.traceId === 'string' ? pending.data.traceId : undefined;
  if (pending.kind === 'sso') {
    const p = pending.data as unknown as PendingSso;
    const app = host.app(p.app);
    return runAction(
      { action: 'login', flowLog: host.flowLog, idpIssuer: host.config.idp.issuer, subject: { client: app.name }, ...(traceId ? { traceId } : {}) },
      async (ctx) => {
        const r = await completeLogin(host.sso, app, p, url);
        if (!r.ok) {
          host.store.completePending(state, { outcome: r.kind === 'error' ? 'error' : 'denied', code: r.code, description: r.description });
          emitClientEvent('sso.token', r.kind === 'error' ? 'error' : 'denied', `login failed: ${r.code}`, {
            error: { code: r.code, description: r.description },
          });
          return {
            outcome: r.kind === 'error' ? 'error' : 'denied',
            kind: 'sso' as const,
            message: `Sign-in failed: ${r.code}${r.description ? ` — ${r.description}` : ''}`,
          };
        }
        const claims = decodeUnverified(r.tokens.idToken)?.claims ?? {};
        const user =
          p.user ??
          (typeof claims.preferred_username === 'string'
            ? claims.preferred_username
            : typeof claims.email === 'string'
              ? claims.email.split('@')[0]
              : r.tokens.sub);
        saveLogin(host, user as string, app, r.tokens, ctx.traceId);
        host.store.completePending(state, {
          outcome: 'ok',
          user,
          sub: r.tokens.sub,
          idTokenExpiresAt: r.tokens.idTokenExp,
          refreshToken: !!r.tokens.refreshToken,
        });
        return { outcome: 'ok' as const, kind: 'sso' as const, message: `Signed in as ${user} via ${app.title}. You can close this window.`, user };
      },
    );
  }
  const d = pending.data as { user: string; app: string; server: string; purpose: string; scope?: string; saved: ClassicState; traceId?: string };
  const app = host.app(d.app);
  const server = host.server(d.server);
  return runAction(
    {
      action: 'connect',
      flowLog: host.flowLog,
      idpIssuer: host.config.idp.issuer,
      subject: { user: d.user, client: app.name, server: server.name },
      ...(traceId ? { traceId } : {}),
    },
    async (ctx) => {
      const provider = classicProvider(host, d.user, app, server, d.purpose, state, undefined, d.saved);
      const r = await finishClassic(provider, { serverUrl: server.url, fetch: host.fetch, callbackUrl: url });
      const out = await classicDone(host, d.user, app, server, d.purpose, r, 1, ctx.traceId, () => {});
      host.store.completePending(state, {
        outcome: out.status === 'connected' ? 'ok' : 'error',
        server: server.name,
        consentScreens: out.consentScreens,
        message: out.message,
      });
      return { outcome: out.status === 'connected' ? 'ok' : 'error', kind: 'classic' as const, message: out.message, server: server.name };
    },
  );
}

/** Wait (bounded) until `/callback` has finished the pending flow `state`; polls client.db. */
export async function waitForCallback(
  host: LoginHost,
  state: string,
  timeoutMs = host.config.options.interactiveLoginTimeoutMs,
): Promise<Record<string, unknown> | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const p = host.store.getPending(state, host.now());
    if (!p) return undefined;
    if (p.result) return p.result;
    await new Promise((r) => setTimeout(r, 250));
  }
  return undefined;
}

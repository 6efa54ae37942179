/**
 * The subject token of leg 2 for a signed-in (user, app): the stored ID token, renewed with the IdP
 * refresh token when it has expired (draft-04 §4.4.3); for a SAML session, the IdP refresh token the
 * Assertion was exchanged for (draft-04 §4.5).
 */
import { TOKEN_TYPE_REFRESH_TOKEN } from '@xaa/protocol';
import type { AgentApp } from './config.ts';
import type { LoginHost } from './core.ts';
import type { IdTokenResult, IdTokenSource } from './flow.ts';
import { refreshSession } from './legs/sso.ts';
import type { ProgressSink } from './progress.ts';

/** The ID token for leg 2: stored, renewed with the IdP refresh token when it has expired. */
export function idTokenSource(host: LoginHost, user: string, app: AgentApp, progress: ProgressSink): IdTokenSource {
  const refresh = async (): Promise<IdTokenResult> => {
    const row = host.store.getSession(user, app.name);
    if (!row) return { ok: false, kind: 'no_idp_session', code: 'login_required', description: `${user} is not signed in to ${app.title}` };
    if (!row.refresh_token)
      return {
        ok: false,
        kind: 'session_ended',
        code: 'login_required',
        description: 'the ID token expired and there is no IdP refresh token: log in again',
      };
    const t0 = performance.now();
    const r = await refreshSession(host.sso, app, row.refresh_token);
    progress({
      step: 'sso-refresh',
      outcome: r.ok ? 'ok' : r.kind === 'session_ended' ? 'denied' : 'error',
      detail: r.ok ? `ID token renewed with the IdP refresh token (exp in ${r.tokens.idTokenExp - host.now()} s)` : `${r.code} — ${r.description}`,
      ms: Math.round(performance.now() - t0),
    });
    if (!r.ok) return { ok: false, kind: r.kind, code: r.code, description: r.description };
    host.store.updateSessionTokens(
      user,
      app.name,
      { id_token: r.tokens.idToken, id_token_exp: r.tokens.idTokenExp, refresh_token: r.tokens.refreshToken ?? null },
      host.now(),
    );
    return { ok: true, idToken: r.tokens.idToken };
  };
  // A SAML session (draft-04 §4.5): the subject token is the IdP refresh token the Assertion was
  // exchanged for; nothing renews it but a new SAML sign-in.
  const samlEnded = (): IdTokenResult => ({
    ok: false,
    kind: 'session_ended',
    code: 'login_required',
    description: `the IdP refused or no longer accepts the refresh token from ${user}'s SAML sign-in: sign in with SAML again`,
  });
  return {
    current: async () => {
      const row = host.store.getSession(user, app.name);
      if (!row) return { ok: false, kind: 'no_idp_session', code: 'login_required', description: `${user} is not signed in to ${app.title}: run login first` };
      if (row.protocol === 'saml2')
        return row.refresh_token && row.id_token_exp - host.config.options.expirySkewSeconds > host.now()
          ? { ok: true, idToken: row.refresh_token, subjectTokenType: TOKEN_TYPE_REFRESH_TOKEN }
          : samlEnded();
      if (row.id_token_exp - host.config.options.expirySkewSeconds > host.now()) return { ok: true, idToken: row.id_token };
      return refresh();
    },
    refresh: async () => (host.store.getSession(user, app.name)?.protocol === 'saml2' ? samlEnded() : refresh()),
  };
}

/**
 * Leg 1 over SAML 2.0 Web SSO, for the agent: the AuthnRequest (HTTP-Redirect binding), the headless
 * browser walk or the browser's POST to the ACS (HTTP-POST binding, SAML Bindings §3.5), then the
 * Assertion exchanged for an IdP refresh token that mints every ID-JAG (draft-04 §4.5).
 */
import { navigate } from '@xaa/user-agent';
import { runAction } from './action.ts';
import type { AgentApp } from './config.ts';
import type { LoginHost } from './core.ts';
import { emitClientEvent, headlessStepEmitter } from './events.ts';
import { beginSamlLogin, completeSamlLogin, type PendingSamlSso } from './legs/saml-sso.ts';
import type { LoginOutcome, Outcome } from './outcomes.ts';
import { UsageProblem } from './problems.ts';
import type { ProgressSink } from './progress.ts';

/** Leg 1 over SAML: the AuthnRequest (interactive: its URL; headless: the browser walk), then the ACS work. */
export async function samlLogin(
  host: LoginHost,
  app: AgentApp,
  opts: { user?: string; headless?: boolean; password?: string },
  traceId: string,
  progress: ProgressSink,
): Promise<Omit<LoginOutcome, 'traceId' | 'steps'>> {
  const acs = app.saml?.acs_url as string;
  const t0 = performance.now();
  const failed = (code: string, e: unknown) => {
    const description = (e as Error)?.message ?? String(e);
    progress({ step: 'sso', outcome: 'error', detail: `${code} — ${description}`, ms: Math.round(performance.now() - t0) });
    return { outcome: 'error' as const, app: app.name, user: opts.user, refreshToken: false, consentScreens: 0, error: { code, description } };
  };
  let begun: Awaited<ReturnType<typeof beginSamlLogin>>;
  try {
    begun = await beginSamlLogin(host.sso, app, opts.user);
  } catch (e) {
    return failed('saml_metadata', e);
  }
  emitClientEvent('sso.authorize', 'ok', `${app.title} sends a SAML AuthnRequest (HTTP-Redirect) to the IdP`, {
    http: { method: 'GET', url: `${begun.authorizationUrl.origin}${begun.authorizationUrl.pathname}` },
    data: { protocol: 'saml2', request_id: begun.pending.requestId, entity_id: app.saml?.entity_id, acs },
  });
  if (!opts.headless) {
    host.store.putPending(begun.pending.relayState, 'sso', { ...begun.pending, traceId }, host.now(), 600);
    progress({ step: 'sso', outcome: 'info', detail: `SAML AuthnRequest ready for ${app.title} (ID ${begun.pending.requestId.slice(0, 9)}…)`, ms: 0 });
    return {
      outcome: 'ok',
      app: app.name,
      user: opts.user,
      refreshToken: false,
      consentScreens: 0,
      protocol: 'saml2',
      authorizationUrl: begun.authorizationUrl.href,
      state: begun.pending.relayState,
    };
  }
  if (!opts.user) throw new UsageProblem('A headless login needs --user.');
  const password = opts.password ?? host.config.users.find((u) => u.username === opts.user)?.password;
  if (password === undefined) throw new UsageProblem(`No password for ${opts.user}: pass --password (demo users are listed in playground.json).`);
  let nav: Awaited<ReturnType<typeof navigate>>;
  try {
    nav = await navigate(begun.authorizationUrl, {
      fetch: host.fetch,
      redirectUri: acs,
      credentials: { username: opts.user, password },
      approveConsent: false,
      maxSteps: host.config.options.headlessMaxSteps,
      onStep: headlessStepEmitter('sso'),
    });
  } catch (e) {
    return failed('saml_sso_unreachable', e);
  }
  const samlResponse = nav.ok ? nav.callbackBody?.get('SAMLResponse') : undefined;
  if (!nav.ok || !samlResponse) {
    const failure = nav.ok
      ? { kind: 'error' as const, code: 'saml_no_response', description: 'the IdP did not answer the ACS with a SAMLResponse (HTTP-POST binding)' }
      : { kind: nav.kind === 'login_failed' ? ('denied' as const) : ('error' as const), code: nav.kind, description: nav.message };
    progress({ step: 'sso', outcome: failure.kind, detail: `${failure.code} — ${failure.description}`, ms: Math.round(performance.now() - t0) });
    return {
      outcome: failure.kind,
      app: app.name,
      user: opts.user,
      refreshToken: false,
      consentScreens: 0,
      error: { code: failure.code, description: failure.description },
    };
  }
  const done = await finishSaml(host, app, begun.pending, samlResponse, traceId);
  progress({
    step: 'sso',
    outcome: done.outcome === 'ok' ? 'ok' : done.outcome,
    detail:
      done.outcome === 'ok'
        ? `signed in with SAML as ${opts.user} via ${app.title}; Assertion → IdP refresh token (saml2 → refresh_token)`
        : `${done.error?.code} — ${done.error?.description}`,
    ms: Math.round(performance.now() - t0),
  });
  return { ...done, user: opts.user, consentScreens: 0 };
}

/** The ACS work, headless or from the browser: node-saml validates, the IdP trades the Assertion for a refresh token. */
async function finishSaml(
  host: LoginHost,
  app: AgentApp,
  pending: PendingSamlSso,
  samlResponse: string,
  traceId: string,
): Promise<Omit<LoginOutcome, 'traceId' | 'steps'> & { outcome: Outcome }> {
  const r = await completeSamlLogin(host.sso, app, pending, samlResponse, () => host.idp(app).tokenEndpoint());
  if (!r.ok) {
    emitClientEvent('sso.token', r.kind, `SAML sign-in failed at ${r.stage}: ${r.code}`, {
      error: { code: r.code, description: r.description },
      data: { protocol: 'saml2', stage: r.stage },
    });
    return {
      outcome: r.kind,
      app: app.name,
      user: pending.user,
      refreshToken: false,
      consentScreens: 0,
      error: { code: r.code, description: r.description },
    };
  }
  const session = r.session;
  emitClientEvent(
    'sso.token',
    'ok',
    `SAML Response accepted (signature verified against the IdP metadata) and its Assertion exchanged for an IdP refresh token`,
    {
      tokens: [
        {
          role: 'saml_assertion',
          header: { format: 'SAML 2.0 Assertion', signature: 'verified by the SP library (node-saml) with the IdP metadata certificates' },
          claims: {
            id: session.assertion.id,
            issuer: session.assertion.issuer,
            audience: session.assertion.audience,
            name_id: session.nameId,
            name_id_format: session.nameIdFormat,
            not_on_or_after: session.assertion.notOnOrAfter,
            email: session.email,
          },
        },
      ],
      data: { protocol: 'saml2', chain: 'saml2 → refresh_token → id-jag', scope: session.scope },
    },
  );
  const user = pending.user ?? session.email?.split('@')[0] ?? session.nameId;
  host.store.saveSession(
    {
      user,
      app: app.name,
      sub: session.nameId,
      id_token: '',
      id_token_exp: session.refreshTokenExpiresAt,
      refresh_token: session.refreshToken,
      login_trace: traceId,
      protocol: 'saml2',
    },
    host.now(),
  );
  host.store.setCurrent(user, app.name);
  return { outcome: 'ok', app: app.name, user, sub: session.nameId, refreshToken: true, consentScreens: 0, protocol: 'saml2' };
}

/** The SAML ACS (HTTP-POST binding, SAML Bindings §3.5): finishes a SAML login started by any process. */
export async function handleSamlAcs(
  host: LoginHost,
  form: {
    SAMLResponse?: unknown;
    RelayState?: unknown;
  },
): Promise<{ outcome: Outcome; kind: 'sso' | 'unknown'; message: string; user?: string | undefined }> {
  const state = typeof form.RelayState === 'string' ? form.RelayState : '';
  const pending = state ? host.store.getPending(state, host.now()) : undefined;
  const p = pending?.data as (PendingSamlSso & { traceId?: string }) | undefined;
  if (!pending || pending.result || pending.kind !== 'sso' || p?.protocol !== 'saml2' || typeof form.SAMLResponse !== 'string' || !form.SAMLResponse)
    return {
      outcome: 'error',
      kind: 'unknown',
      message: 'This SAML response is unknown, expired or already used (RelayState mismatch). Start again from the agent.',
    };
  const app = host.app(p.app);
  return runAction(
    {
      action: 'login',
      flowLog: host.flowLog,
      idpIssuer: host.config.idp.issuer,
      subject: { client: app.name },
      ...(p.traceId ? { traceId: p.traceId } : {}),
    },
    async (ctx) => {
      const r = await finishSaml(host, app, p, form.SAMLResponse as string, ctx.traceId);
      host.store.completePending(
        state,
        r.outcome === 'ok'
          ? { outcome: 'ok', user: r.user, sub: r.sub, refreshToken: true, protocol: 'saml2' }
          : { outcome: r.outcome, code: r.error?.code, description: r.error?.description },
      );
      return r.outcome === 'ok'
        ? {
            outcome: 'ok' as const,
            kind: 'sso' as const,
            message: `Signed in with SAML as ${r.user} via ${app.title}. You can close this window.`,
            user: r.user,
          }
        : { outcome: r.outcome, kind: 'sso' as const, message: `SAML sign-in failed: ${r.error?.code} — ${r.error?.description ?? ''}` };
    },
  );
}

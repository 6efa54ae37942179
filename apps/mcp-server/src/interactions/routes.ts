/**
 * The classic path's interactions at the server's own AS: sign-in through the company IdP ("Sign in
 * with Acme SSO", ./sso.ts; silent when the IdP session exists), a local password form as the
 * documented fallback (the seeded usernames with the demo password), and a consent screen
 * naming the client and the scopes it asks for. Each consent screen shown and answered is a
 * `classic.consent` flow event, so the client and the scenarios can count consent screens passed.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { noFraming } from '@xaa/node-kit';
import { requestTrace } from '@xaa/node-kit/oidc-host';
import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import { mapSubject } from '../as/redeem/map-subject.ts';
import type { ServerRuntime } from '../context.ts';
import { clientTitle } from '../rs/require-bearer.ts';
import { SSO_CALLBACK_PATH, ssoRelyingParty } from './sso.ts';
import { consentPage, escapeHtml, loginPage, page } from './views.ts';

const SCOPE_WORDS: Record<string, string> = { read: 'read your data', write: 'create and change your data' };

function describeScope(server: string, scope: string): string {
  const verb = scope.split('.').pop() ?? '';
  return `${SCOPE_WORDS[verb] ?? 'use'} in ${server}`;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function gone(ctx: Context) {
  ctx.status = 400;
  ctx.type = 'html';
  ctx.body = page('Sign-in expired', '<h1>This sign-in has expired</h1><p>Go back to the application and start again.</p>');
}

export function interactionRoutes(rt: ServerRuntime): Router {
  const router = new Router();
  router.use(noFraming());
  const form = bodyParser({ enableTypes: ['form'], formLimit: '8kb', encoding: 'utf-8' });
  const sso = ssoRelyingParty(rt);
  let consentScreens = 0;

  const details = async (ctx: Context) => {
    try {
      const d = await rt.provider.interactionDetails(ctx.req, ctx.res);
      return d.uid === ctx.params.uid ? d : undefined;
    } catch (e) {
      if (e instanceof errors.SessionNotFound) return undefined;
      throw e;
    }
  };

  const requestedScopes = (d: Awaited<ReturnType<typeof details>> & object) => {
    const det = d.prompt.details as { missingResourceScopes?: Record<string, string[]> };
    return [...new Set(Object.values(det.missingResourceScopes ?? {}).flat())];
  };

  const demoUsers = () => rt.topology.users.map((u) => u.username).filter((u) => rt.users.byUsername(u));

  router.get('/interaction/:uid', async (ctx) => {
    const d = await details(ctx);
    if (!d) return gone(ctx);
    ctx.set('Cache-Control', 'no-store');
    const clientId = String(d.params.client_id);
    const clientName = clientTitle(rt, clientId);
    ctx.type = 'html';
    if (d.prompt.name === 'login') {
      // "Sign in with Acme SSO" first (./sso.ts); the local password form is the documented fallback.
      const fallback = ctx.query.local === '1';
      const to = fallback ? undefined : await sso.begin(d.uid);
      if (to) {
        rt.flowLog.emit({
          traceId: requestTrace(ctx.req).traceId,
          party: rt.party.as,
          step: 'sso.authorize',
          outcome: 'ok',
          summary: `${rt.def.title} sends the user to the company IdP to sign in (Sign in with Acme SSO) before its consent screen`,
          subject: { client: clientId, server: rt.def.name },
          http: { method: 'GET', url: `${to.origin}${to.pathname}` },
          data: { hop: 'sso', idp: rt.topology.idp.issuer },
        });
        ctx.status = 303;
        ctx.redirect(to.href);
        return;
      }
      ctx.body = loginPage({
        server: rt.def.title,
        uid: d.uid,
        clientName,
        demoUsers: demoUsers(),
        ...(fallback ? {} : { ssoNote: 'The company IdP cannot be reached right now.' }),
      });
      return;
    }
    const user = d.session?.accountId ? rt.users.get(d.session.accountId) : undefined;
    if (!user) return gone(ctx);
    const scopes = requestedScopes(d);
    consentScreens++;
    rt.flowLog.emit({
      traceId: requestTrace(ctx.req).traceId,
      party: rt.party.as,
      step: 'classic.consent',
      outcome: 'ok',
      summary: `Consent screen shown to ${user.username}: ${clientName} asks for ${scopes.join(' ') || 'access'}`,
      subject: { user: user.username, client: clientId, server: rt.def.name },
      data: { action: 'shown', scopes, consent_screens: consentScreens },
    });
    ctx.body = consentPage({
      server: rt.def.title,
      uid: d.uid,
      clientName,
      clientId,
      username: user.username,
      scopes: scopes.map((s) => ({ scope: s, description: describeScope(rt.def.title, s) })),
    });
  });

  // The IdP's answer to "Sign in with Acme SSO". The interaction cookie is scoped to /interaction/{uid},
  // so the callback validates the answer (./sso.ts) and hands the result on to that path, once.
  const finished = new Map<string, { uid: string; result: Awaited<ReturnType<typeof sso.complete>>; expires: number }>();
  router.get(SSO_CALLBACK_PATH, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const r = await sso.complete(new URL(ctx.originalUrl, rt.def.issuer));
    if (r.uid === undefined) return gone(ctx);
    const now = rt.nowMs();
    for (const [k, v] of finished) if (v.expires <= now || finished.size > 1000) finished.delete(k);
    const token = randomBytes(24).toString('base64url');
    finished.set(token, { uid: r.uid, result: r, expires: now + 60_000 });
    ctx.status = 303;
    ctx.redirect(`/interaction/${encodeURIComponent(r.uid)}/sso?t=${token}`);
  });

  router.get('/interaction/:uid/sso', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const token = typeof ctx.query.t === 'string' ? ctx.query.t : '';
    const f = finished.get(token);
    finished.delete(token);
    const d = await details(ctx);
    if (!f || f.expires <= rt.nowMs() || !d || f.uid !== d.uid || d.prompt.name !== 'login') return gone(ctx);
    const r = f.result;
    const traceId = requestTrace(ctx.req).traceId;
    const clientId = String(d.params.client_id);
    if (!r.ok) {
      rt.flowLog.emit({
        traceId,
        party: rt.party.as,
        step: 'sso.token',
        outcome: 'denied',
        summary: `Sign-in through the company IdP failed at ${rt.def.title}: ${r.code}`,
        subject: { client: clientId, server: rt.def.name },
        error: { code: r.code, description: r.description },
      });
      ctx.status = 403;
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in failed',
        `<h1>Sign-in through your company failed</h1><p>${escapeHtml(r.description)}</p><p><code>${escapeHtml(r.code)}</code></p>`,
      );
      return;
    }
    const subject = mapSubject(rt, r.claims);
    if (!subject.ok) {
      ctx.status = 403;
      ctx.type = 'html';
      ctx.body = page('Sign-in failed', `<h1>No ${escapeHtml(rt.def.title)} account</h1><p>${escapeHtml(subject.reason)}</p>`);
      return;
    }
    rt.flowLog.emit({
      traceId,
      party: rt.party.as,
      step: 'sso.token',
      outcome: 'ok',
      summary: `Signed in through the company IdP as ${subject.user.username} (IdP sub ${r.claims.sub} → the same local user XAA maps to)`,
      subject: { client: clientId, server: rt.def.name, user: subject.user.username },
      data: { hop: 'sso', idp_iss: r.claims.iss, idp_sub: r.claims.sub, provisioned: subject.provisioned },
    });
    const to = await rt.provider.interactionResult(ctx.req, ctx.res, { login: { accountId: subject.user.id } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  });

  router.post('/interaction/:uid/login', form, async (ctx) => {
    const d = await details(ctx);
    if (d?.prompt.name !== 'login') return gone(ctx);
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().slice(0, 100) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 200) : '';
    const known = rt.topology.users.find((u) => u.username === username);
    const user = known ? rt.users.byUsername(username) : undefined;
    if (!known || !user || !sameSecret(password, known.password)) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = loginPage({
        server: rt.def.title,
        uid: d.uid,
        clientName: clientTitle(rt, String(d.params.client_id)),
        error: 'Unknown username or wrong password.',
        username,
        demoUsers: demoUsers(),
      });
      return;
    }
    const to = await rt.provider.interactionResult(ctx.req, ctx.res, { login: { accountId: user.id } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  });

  router.post('/interaction/:uid/consent', form, async (ctx) => {
    const d = await details(ctx);
    if (d?.prompt.name !== 'consent') return gone(ctx);
    const accountId = d.session?.accountId;
    const user = accountId ? rt.users.get(accountId) : undefined;
    if (!accountId || !user) return gone(ctx);
    const clientId = String(d.params.client_id);
    const decision = (ctx.request.body as Record<string, unknown> | undefined)?.decision;
    const scopes = requestedScopes(d);
    const traceId = requestTrace(ctx.req).traceId;
    if (decision !== 'allow') {
      rt.flowLog.emit({
        traceId,
        party: rt.party.as,
        step: 'classic.consent',
        outcome: 'denied',
        summary: `${user.username} denied ${clientTitle(rt, clientId)}`,
        subject: { user: user.username, client: clientId, server: rt.def.name },
        data: { action: 'denied', scopes },
      });
      const to = await rt.provider.interactionResult(
        ctx.req,
        ctx.res,
        { error: 'access_denied', error_description: 'The user denied the request.' },
        { mergeWithLastSubmission: false },
      );
      ctx.status = 303;
      ctx.redirect(to);
      return;
    }
    const grant = (d.grantId ? await rt.provider.Grant.find(d.grantId) : undefined) ?? new rt.provider.Grant({ accountId, clientId });
    const det = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (det.missingOIDCScope?.length) grant.addOIDCScope(det.missingOIDCScope.join(' '));
    if (det.missingOIDCClaims?.length) grant.addOIDCClaims(det.missingOIDCClaims);
    for (const [indicator, s] of Object.entries(det.missingResourceScopes ?? {})) grant.addResourceScope(indicator, s.join(' '));
    const grantId = await grant.save();
    rt.flowLog.emit({
      traceId,
      party: rt.party.as,
      step: 'classic.consent',
      outcome: 'ok',
      summary: `${user.username} allowed ${clientTitle(rt, clientId)}: ${scopes.join(' ')}`,
      subject: { user: user.username, client: clientId, server: rt.def.name },
      data: { action: 'granted', scopes },
    });
    const to = await rt.provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(to);
  });

  return router;
}

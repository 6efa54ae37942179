/**
 * The login interaction (OIDC Core §3.1.2.3): a plain HTML form (`username`, `password`) plus one small
 * form per demo user, and no consent screen — apps are first-party, so a consent prompt (if oidc-provider
 * ever asks) is granted on the spot. Admin-API scopes are granted only to IdP admins.
 */
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { noFraming } from '@xaa/node-kit';
import { requestTrace } from '@xaa/node-kit/oidc-host';
import { ADMIN_SCOPE } from '@xaa/protocol';
import type { Context } from 'koa';
import { errors } from 'oidc-provider';
import type { IdpContext } from '../context.ts';
import { DUMMY_HASH, verifyPassword } from '../passwords.ts';
import { LoginThrottle } from './throttle.ts';
import { escapeHtml, loginPage, page } from './views.ts';

function demoUsers(idp: IdpContext) {
  return idp.topology.users
    .map((u) => ({ def: u, rec: idp.directory.findUserByUsername(u.username) }))
    .filter((x) => x.rec && !x.rec.disabled)
    .map(({ def, rec }) => ({ username: def.username, name: rec?.name ?? def.name, groups: rec?.groups ?? def.groups, password: def.password }));
}

function interactionGone(ctx: Context) {
  ctx.status = 400;
  ctx.type = 'html';
  ctx.body = page('Sign-in expired', '<h1>This sign-in has expired</h1><p>Go back to the application and start again.</p>');
}

export function interactionRoutes(idp: IdpContext): Router {
  const router = new Router();
  router.use(noFraming());
  const form = bodyParser({ enableTypes: ['form'], formLimit: '16kb', encoding: 'utf-8' });
  const throttle = new LoginThrottle({ now: idp.now });

  const details = async (ctx: Context) => {
    try {
      const d = await idp.provider().interactionDetails(ctx.req, ctx.res);
      return d.uid === ctx.params.uid ? d : undefined;
    } catch (e) {
      if (e instanceof errors.SessionNotFound) return undefined;
      throw e;
    }
  };

  const clientTitle = async (clientId: unknown) => {
    const app = typeof clientId === 'string' ? idp.directory.getApp(clientId) : undefined;
    return app?.title ?? String(clientId ?? 'an application');
  };

  router.get('/interaction/:uid', async (ctx) => {
    const d = await details(ctx);
    if (!d) return interactionGone(ctx);
    ctx.set('Cache-Control', 'no-store');
    if (d.prompt.name === 'login') {
      ctx.type = 'html';
      const hint = typeof d.params.login_hint === 'string' ? d.params.login_hint.slice(0, 200) : undefined;
      ctx.body = loginPage({ uid: d.uid, clientTitle: await clientTitle(d.params.client_id), demoUsers: demoUsers(idp), ...(hint ? { username: hint } : {}) });
      return;
    }
    // First-party apps: grant what the prompt asks for without a consent screen.
    const provider = idp.provider();
    const accountId = d.session?.accountId;
    const clientId = String(d.params.client_id);
    if (!accountId) return interactionGone(ctx);
    const grant = (d.grantId ? await provider.Grant.find(d.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
    const det = d.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (det.missingOIDCScope?.length) grant.addOIDCScope(det.missingOIDCScope.join(' '));
    if (det.missingOIDCClaims?.length) grant.addOIDCClaims(det.missingOIDCClaims);
    const isAdmin = idp.directory.getUser(accountId)?.admin === true;
    for (const [indicator, scopes] of Object.entries(det.missingResourceScopes ?? {})) {
      const granted = scopes.filter((s) => isAdmin || s !== ADMIN_SCOPE);
      const rejected = scopes.filter((s) => !granted.includes(s));
      if (granted.length) grant.addResourceScope(indicator, granted.join(' '));
      if (rejected.length) grant.rejectResourceScope(indicator, rejected.join(' '));
    }
    const grantId = await grant.save();
    const to = await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(to);
  });

  router.post('/interaction/:uid/login', async (ctx, next) => {
    // Browsers post this form uncompressed; a compressed body would fail inside the parser as a 500.
    const encoding = ctx.get('content-encoding').trim().toLowerCase();
    if (!ctx.is('application/x-www-form-urlencoded') || (encoding && encoding !== 'identity')) {
      ctx.status = 415;
      ctx.type = 'html';
      ctx.body = page('Unsupported', '<h1>Unsupported request</h1><p>The sign-in form must be posted uncompressed as application/x-www-form-urlencoded.</p>');
      return;
    }
    await form(ctx, next);
  });

  router.post('/interaction/:uid/login', async (ctx) => {
    const d = await details(ctx);
    if (!d) return interactionGone(ctx);
    if (d.prompt.name !== 'login') {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page('Unexpected', '<h1>This sign-in step is already complete.</h1>');
      return;
    }
    const body = (ctx.request.body ?? {}) as Record<string, unknown>;
    const username = typeof body.username === 'string' ? body.username.trim().slice(0, 200) : '';
    const password = typeof body.password === 'string' ? body.password.slice(0, 1000) : '';
    const retryAfter = throttle.retryAfter(username);
    if (retryAfter) {
      ctx.status = 429;
      ctx.type = 'html';
      ctx.set({ 'Retry-After': String(retryAfter), 'Cache-Control': 'no-store' });
      const error = `Too many failed sign-ins for this account. Try again in ${retryAfter} s.`;
      ctx.body = loginPage({ uid: d.uid, clientTitle: await clientTitle(d.params.client_id), error, username, demoUsers: demoUsers(idp) });
      return;
    }
    const user = username ? idp.directory.findUserByUsername(username) : undefined;
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    const trace = requestTrace(ctx.req);
    const clientId = String(d.params.client_id);
    if (!user || !ok || user.disabled) {
      throttle.failed(username);
      const why = user?.disabled && ok ? 'This account is disabled. Contact IT.' : 'Unknown username or wrong password.';
      idp.flowLog.emit({
        traceId: trace.traceId,
        party: 'idp',
        step: 'sso.login',
        outcome: 'denied',
        summary: `Sign-in refused for ${username || '(no username)'}: ${user?.disabled && ok ? 'account disabled' : 'bad credentials'}`,
        subject: { client: clientId, ...(username ? { user: username } : {}) },
      });
      ctx.status = 401;
      ctx.type = 'html';
      ctx.set('Cache-Control', 'no-store');
      ctx.body = loginPage({ uid: d.uid, clientTitle: await clientTitle(clientId), error: why, username, demoUsers: demoUsers(idp) });
      return;
    }
    throttle.succeeded(username);
    // Revocation refuses tokens with iat < not_before, and iat has one-second resolution: a sign-in in
    // the same second as a revocation would mint tokens that are dead on arrival. Finish it in the next.
    const wait = user.not_before * 1000 - idp.now();
    if (wait > 0 && wait <= 1000) await new Promise((resolve) => setTimeout(resolve, wait));
    idp.flowLog.emit({
      traceId: trace.traceId,
      party: 'idp',
      step: 'sso.login',
      outcome: 'ok',
      summary: `${user.username} signed in to ${await clientTitle(clientId)}`,
      subject: { client: clientId, user: user.username },
    });
    const to = await idp
      .provider()
      .interactionResult(ctx.req, ctx.res, { login: { accountId: user.id, amr: ['pwd'], remember: true } }, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  });

  router.get('/interaction/:uid/abort', async (ctx) => {
    const d = await details(ctx);
    if (!d) return interactionGone(ctx);
    const to = await idp
      .provider()
      .interactionResult(
        ctx.req,
        ctx.res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
        { mergeWithLastSubmission: false },
      );
    ctx.status = 303;
    ctx.redirect(to);
  });

  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = page(
      'Acme Workforce',
      `<h1>Acme Workforce</h1><p class="sub">Simulated enterprise IdP for Cross-App Access.</p>
<ul><li><a href="/.well-known/openid-configuration">OpenID configuration</a></li><li><a href="/jwks">JWKS</a></li>
<li><a href="/admin/openapi.json">Admin API (OpenAPI)</a></li></ul><p>Issuer <code>${escapeHtml(idp.issuer)}</code></p>`,
    );
  });

  return router;
}

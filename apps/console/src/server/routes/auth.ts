/**
 * Sign-in at the IdP (OIDC code + PKCE) and the browser session: HttpOnly SameSite=Lax cookie, a
 * CSRF token for mutating requests (double-submit: cookie + header, both must equal the session's).
 */
import type Router from '@koa/router';
import { surfaceRouter, underPrefix } from '@xaa/node-kit';
import type { Context, Middleware, Next } from 'koa';
import type { ConsoleConfig } from '../config.ts';
import type { IdpClient } from '../idp-client.ts';
import { errorPage, refusedPage } from '../pages.ts';
import { type Session, type SessionStore, sameToken } from '../sessions.ts';

declare module 'koa' {
  interface DefaultState {
    session?: Session;
    sessionId?: string;
  }
}

export interface AuthDeps {
  sessions: SessionStore;
  idp: IdpClient;
  config: ConsoleConfig;
  consoleUrl: string;
  /** Public facts the SPA may know (no secrets). */
  publicInfo: () => unknown;
  log: (message: string) => void;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

function setSessionCookies(ctx: Context, deps: AuthDeps, id: string, session: Session) {
  const maxAge = (session.expiresAt - Math.floor(Date.now() / 1000)) * 1000;
  ctx.cookies.set(deps.config.cookies.session, id, { httpOnly: true, sameSite: 'lax', path: '/', maxAge, overwrite: true });
  // Readable by the SPA: it echoes it in the CSRF header (double submit).
  ctx.cookies.set(deps.config.cookies.csrf, session.csrf, { httpOnly: false, sameSite: 'lax', path: '/', maxAge, overwrite: true });
}

function clearCookies(ctx: Context, deps: AuthDeps) {
  ctx.cookies.set(deps.config.cookies.session, '', { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0, overwrite: true });
  ctx.cookies.set(deps.config.cookies.csrf, '', { httpOnly: false, sameSite: 'lax', path: '/', maxAge: 0, overwrite: true });
}

/** Loads the session (if any) into ctx.state. */
export function loadSession(deps: AuthDeps): Middleware {
  return async function loadSession(ctx: Context, next: Next) {
    const id = ctx.cookies.get(deps.config.cookies.session);
    const session = deps.sessions.get(id);
    if (session && id) {
      ctx.state.session = session;
      ctx.state.sessionId = id;
    }
    await next();
  };
}

/** Same-origin only (CORS: the console's own origin) and the CSRF token on every mutating request. */
export function guardApi(deps: AuthDeps): Middleware {
  const origin = new URL(deps.consoleUrl).origin;
  return async function guardApi(ctx: Context, next: Next) {
    // Every spelling of /api (the same loose reading as the guarded surface), and the logout.
    if (!underPrefix(ctx.path, '/api') && ctx.path !== '/auth/logout') return next();
    const requestOrigin = ctx.get('origin');
    if (requestOrigin && requestOrigin !== origin && requestOrigin !== `${ctx.protocol}://${ctx.host}`) {
      ctx.status = 403;
      ctx.body = { error: 'invalid_request', error_description: `Cross-origin requests from ${requestOrigin} are not allowed.` };
      return;
    }
    if (requestOrigin) {
      ctx.set('Access-Control-Allow-Origin', requestOrigin);
      ctx.set('Access-Control-Allow-Credentials', 'true');
      ctx.set('Vary', 'Origin');
    }
    // A CORS preflight (Fetch §3.2.2) from the console's own origin; any other OPTIONS meets the guard.
    if (ctx.method === 'OPTIONS' && requestOrigin && ctx.get('access-control-request-method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      ctx.set('Access-Control-Allow-Headers', `content-type, ${deps.config.csrfHeader}`);
      ctx.status = 204;
      return;
    }
    if (!SAFE.has(ctx.method)) {
      const header = ctx.get(deps.config.csrfHeader);
      const cookie = ctx.cookies.get(deps.config.cookies.csrf);
      const session = ctx.state.session;
      if (!session || !sameToken(header, session.csrf) || !sameToken(cookie, session.csrf)) {
        ctx.status = 403;
        ctx.body = { error: 'invalid_request', error_description: 'Missing or wrong CSRF token: reload the console and try again.' };
        return;
      }
    }
    return next();
  };
}

function loginRequired(ctx: Context, description = 'Sign in to the console first.') {
  ctx.status = 401;
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error: 'login_required', error_description: description };
}

/**
 * 401 for API calls without a signed-in admin. With `status` (node-kit `idpAdminTokenStatus`), the
 * session's current admin token is checked at the IdP on every call, so a revocation there (admin
 * role removed, user disabled, sessions revoked) ends the console session at once, not at the
 * token's `exp`. A session holding no unexpired token renews one on its next upstream call, which
 * the IdP refuses after a revocation (invalid_grant): that ends the session too (admin-tokens.ts).
 */
export function requireAdminSession(
  options: { status?: (token: string) => Promise<string | undefined>; sessions?: SessionStore; now?: () => number } = {},
): Middleware {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return async function requireAdminSession(ctx: Context, next: Next) {
    const session = ctx.state.session;
    if (!session?.data.user) return loginRequired(ctx);
    const current = Object.values(session.data.tokens ?? {}).find((t) => t.exp > now());
    if (options.status && current) {
      let revoked: string | undefined;
      try {
        revoked = await options.status(current.access_token);
      } catch (e) {
        ctx.status = 503;
        ctx.set('Cache-Control', 'no-store');
        ctx.body = { error: 'temporarily_unavailable', error_description: (e as Error).message };
        return;
      }
      if (revoked) {
        options.sessions?.destroy(session);
        ctx.state.session = undefined;
        return loginRequired(ctx, `The IdP ended this admin session: ${revoked}`);
      }
    }
    await next();
  };
}

/** Only a path on this origin, never another site (no open redirect after sign-in). */
export function safeReturnTo(value: unknown): string {
  // Browsers read a backslash as a slash ("/" + backslash + "evil.example" goes off-site): no backslashes, no control characters.
  return typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/auth/') &&
    ![...value].some((c) => c === '\\' || c.charCodeAt(0) < 0x20) &&
    value.length < 2000
    ? value
    : '/';
}

export function authRoutes(deps: AuthDeps): Middleware {
  return async function authRoutes(ctx: Context, next: Next) {
    if (ctx.path === '/auth/login' && ctx.method === 'GET') return login(ctx, deps);
    if (ctx.path === '/auth/callback' && ctx.method === 'GET') return callback(ctx, deps);
    if (ctx.path === '/auth/logout' && ctx.method === 'POST') return logout(ctx, deps);
    return next();
  };
}

/** `GET /api/session`: the one console API an anonymous browser may call (it says "not signed in"). */
export function sessionRoute(deps: AuthDeps): Router {
  const r = surfaceRouter();
  r.get('/api/session', (ctx) => sessionInfo(ctx, deps));
  return r;
}

async function login(ctx: Context, deps: AuthDeps) {
  let started: Awaited<ReturnType<IdpClient['authorizationUrl']>>;
  try {
    started = await deps.idp.authorizationUrl(safeReturnTo(ctx.query.returnTo));
  } catch (e) {
    deps.log(`sign-in: IdP discovery failed: ${(e as Error).message}`);
    ctx.status = 503;
    ctx.type = 'html';
    ctx.body = errorPage('The IdP is not reachable', `The console could not read the IdP's metadata at ${deps.idp.options.issuer}. Is it running?`);
    return;
  }
  // A fresh pre-login session per attempt; a signed-in session is replaced at the callback.
  const { id, session } = deps.sessions.create({ pending: started.pending }, deps.config.loginTtl);
  setSessionCookies(ctx, deps, id, session);
  ctx.set('Cache-Control', 'no-store');
  ctx.redirect(started.url.href);
}

async function callback(ctx: Context, deps: AuthDeps) {
  ctx.set('Cache-Control', 'no-store');
  ctx.type = 'html';
  const pending = ctx.state.session?.data.pending;
  // Only a response to the sign-in this browser started is read at all, an error response included
  // (RFC 6749 §10.12, RFC 9700 §4.7: `state` binds the response to the browser's pending request).
  // Anything else (no pending sign-in, no or another `state`) gets one neutral page that echoes
  // nothing from the query, and leaves a pending sign-in as it was.
  const state = typeof ctx.query.state === 'string' ? ctx.query.state : undefined;
  if (!ctx.state.session || !pending || !sameToken(state, pending.state)) {
    ctx.status = 400;
    ctx.body = errorPage('No sign-in in progress', 'This browser has no sign-in in progress that matches this response. Start again.');
    return;
  }
  const current = new URL(ctx.originalUrl, deps.idp.options.redirectUri);
  const result = await deps.idp.callback(current, pending).catch((e: unknown) => ({
    ok: false as const,
    reason: 'idp_error' as const,
    error: 'server_error',
    description: (e as Error).message,
  }));
  deps.sessions.destroy(ctx.state.session);
  if (!result.ok) {
    clearCookies(ctx, deps);
    if (result.reason === 'not_admin') {
      ctx.status = 403;
      ctx.body = refusedPage(result.user?.username, result.description || 'The IdP refused the admin scope.');
    } else {
      ctx.status = 400;
      ctx.body = errorPage('Sign-in failed', `${result.error}: ${result.description}`);
    }
    deps.log(`sign-in refused: ${result.error}`);
    return;
  }
  // New session id after authentication (no fixation).
  const { id, session } = deps.sessions.create(
    { user: result.user, ...(result.refreshToken ? { refreshToken: result.refreshToken } : {}), tokens: { [result.resource]: result.token } },
    deps.config.sessionTtl,
  );
  setSessionCookies(ctx, deps, id, session);
  deps.log(`signed in: ${result.user.username}`);
  ctx.redirect(safeReturnTo(pending.returnTo));
}

async function logout(ctx: Context, deps: AuthDeps) {
  const session = ctx.state.session;
  if (session) {
    if (session.data.refreshToken) await deps.idp.revoke(session.data.refreshToken);
    deps.sessions.destroy(session);
  }
  clearCookies(ctx, deps);
  ctx.set('Cache-Control', 'no-store');
  const end = await deps.idp.endSessionUrl(`${deps.consoleUrl}/`);
  ctx.body = { signedOut: true, ...(end ? { endSessionUrl: end.href } : {}) };
}

function sessionInfo(ctx: Context, deps: AuthDeps) {
  ctx.set('Cache-Control', 'no-store');
  const session = ctx.state.session;
  if (!session?.data.user) {
    ctx.body = { signedIn: false };
    return;
  }
  ctx.body = { signedIn: true, user: session.data.user, csrfToken: session.csrf, expiresAt: session.expiresAt, ...(deps.publicInfo() as object) };
}

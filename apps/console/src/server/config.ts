/**
 * The console backend's knobs: one documented defaults object. `main.ts` is the only
 * reader of `process.env`; everything else receives a resolved `ConsoleConfig`.
 */

export interface ConsoleConfig {
  /** Lifetime of a signed-in admin session (seconds). Recommendation: a working day. */
  sessionTtl: number;
  /** Lifetime of a pending sign-in (state, nonce, PKCE verifier) before the callback (seconds). */
  loginTtl: number;
  /** Refresh an admin-API access token this many seconds before it expires. */
  tokenRefreshMargin: number;
  /** Largest JSON body the BFF forwards to an admin API (bytes). */
  maxBody: number;
  /** Cookie names. Cookies are not port-scoped, so every app on localhost needs distinct names. */
  cookies: { session: string; csrf: string };
  /** Header carrying the CSRF token on every mutating request (double-submit with the CSRF cookie). */
  csrfHeader: string;
  /** Upstream timeout for admin-API calls (ms). */
  upstreamTimeoutMs: number;
  /** Wait between reconnects of an upstream event stream (ms), doubled up to `streamRetryMaxMs`. */
  streamRetryMs: number;
  streamRetryMaxMs: number;
}

export const DEFAULTS: ConsoleConfig = {
  sessionTtl: 8 * 3600,
  loginTtl: 600,
  tokenRefreshMargin: 30,
  maxBody: 256 * 1024,
  cookies: { session: 'xaa_console_sid', csrf: 'xaa_console_csrf' },
  csrfHeader: 'x-csrf-token',
  upstreamTimeoutMs: 15_000,
  streamRetryMs: 500,
  streamRetryMaxMs: 5_000,
};

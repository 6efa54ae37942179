/**
 * Access tokens for the admin APIs, per signed-in admin and per API. Cached in the session row until
 * shortly before `exp`; renewed with the refresh_token grant + `resource`. Renewals of one session are
 * serialised: refresh tokens may rotate, and presenting a rotated-out refresh token twice can make the
 * IdP revoke the whole grant.
 */
import type { ConsoleConfig } from './config.ts';
import type { IdpClient } from './idp-client.ts';
import type { Session, SessionStore } from './sessions.ts';

export class SignedOut extends Error {
  constructor(message = 'The admin session has ended; sign in again.') {
    super(message);
    this.name = 'SignedOut';
  }
}

export class AdminTokens {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly idp: IdpClient,
    private readonly sessions: SessionStore,
    private readonly config: ConsoleConfig,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** A valid access token for `resource`. `force` skips the cache (after an upstream 401). */
  async get(sessionKey: string, sessionId: string, resource: string, force = false): Promise<string> {
    return this.serialised(sessionKey, async () => {
      // Re-read: another request may have renewed it while we waited.
      const session = this.sessions.get(sessionId);
      if (!session?.data.user) throw new SignedOut();
      const cached = session.data.tokens?.[resource];
      if (!force && cached && cached.exp - this.config.tokenRefreshMargin > this.now()) return cached.access_token;
      if (!session.data.refreshToken) throw new SignedOut('The IdP issued no refresh token; sign in again.');
      let result: Awaited<ReturnType<IdpClient['tokenFor']>>;
      try {
        result = await this.idp.tokenFor(session.data.refreshToken, resource);
      } catch (e) {
        const error = (e as { error?: string }).error;
        if (error === 'invalid_grant') {
          // The grant is gone (revoked, user disabled, expired): the session cannot continue.
          this.sessions.destroy(session);
          throw new SignedOut('The IdP no longer honours this sign-in (revoked or expired); sign in again.');
        }
        throw e;
      }
      this.store(session, resource, result);
      return result.token.access_token;
    });
  }

  private store(session: Session, resource: string, result: Awaited<ReturnType<IdpClient['tokenFor']>>) {
    session.data.tokens = { ...session.data.tokens, [resource]: result.token };
    if (result.refreshToken) session.data.refreshToken = result.refreshToken;
    this.sessions.save(session);
  }

  private async serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => {});
    this.locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }
}

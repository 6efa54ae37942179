import { driveLogin, HeadlessLoginError, pkce } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_THROTTLE_DEFAULTS, LoginThrottle } from '../../src/interactions/throttle.ts';
import { clientOf, startTestIdp, type TestIdp } from '../support/idp.ts';

describe('LoginThrottle (NIST SP 800-63B §5.2.2 rate limiting)', () => {
  const setup = () => {
    let now = 1_000_000;
    const t = new LoginThrottle({ now: () => now });
    return { t, tick: (s: number) => (now += s * 1000) };
  };

  it('locks a username after maxFailures failures, for lockSeconds', () => {
    const { t, tick } = setup();
    for (let i = 1; i < LOGIN_THROTTLE_DEFAULTS.maxFailures; i++) {
      t.failed('dave');
      expect(t.retryAfter('dave')).toBe(0);
    }
    t.failed('dave');
    expect(t.retryAfter('dave')).toBe(LOGIN_THROTTLE_DEFAULTS.lockSeconds);
    tick(LOGIN_THROTTLE_DEFAULTS.lockSeconds - 1);
    expect(t.retryAfter('dave')).toBe(1);
    tick(1);
    expect(t.retryAfter('dave')).toBe(0);
  });

  it('doubles the lock for each further failure, up to maxLockSeconds', () => {
    const { t, tick } = setup();
    for (let i = 0; i < LOGIN_THROTTLE_DEFAULTS.maxFailures; i++) t.failed('dave');
    tick(LOGIN_THROTTLE_DEFAULTS.lockSeconds);
    t.failed('dave');
    expect(t.retryAfter('dave')).toBe(LOGIN_THROTTLE_DEFAULTS.lockSeconds * 2);
    for (let i = 0; i < 20; i++) t.failed('dave');
    expect(t.retryAfter('dave')).toBe(LOGIN_THROTTLE_DEFAULTS.maxLockSeconds);
  });

  it('keys by normalised username; other usernames are unaffected; success clears', () => {
    const { t } = setup();
    for (let i = 0; i < LOGIN_THROTTLE_DEFAULTS.maxFailures; i++) t.failed(i % 2 ? ' Dave ' : 'dave');
    expect(t.retryAfter('DAVE')).toBeGreaterThan(0);
    expect(t.retryAfter('alice')).toBe(0);
    t.succeeded('dave');
    expect(t.retryAfter('dave')).toBe(0);
  });

  it('forgets failures older than the window', () => {
    const { t, tick } = setup();
    for (let i = 1; i < LOGIN_THROTTLE_DEFAULTS.maxFailures; i++) t.failed('dave');
    tick(LOGIN_THROTTLE_DEFAULTS.windowSeconds + 1);
    t.failed('dave');
    expect(t.retryAfter('dave')).toBe(0);
  });

  it('a spray of failures for many other usernames does not flush the lock of the attacked one (ASVS V2.2.1)', () => {
    let now = 0;
    const t = new LoginThrottle({ now: () => now, maxEntries: 50 });
    for (let i = 0; i < LOGIN_THROTTLE_DEFAULTS.maxFailures; i++) t.failed('dave');
    const locked = t.retryAfter('dave');
    expect(locked).toBe(LOGIN_THROTTLE_DEFAULTS.lockSeconds);
    for (let i = 0; i < 10_000; i++) {
      t.failed(`spray-${i}`);
      if (i % 100 === 0) now += 1;
    }
    expect(t.retryAfter('dave')).toBeGreaterThan(0);
    expect(t.size).toBeLessThanOrEqual(51);
  });

  it('does not flush the failures counted so far either (below the lock)', () => {
    let now = 0;
    const t = new LoginThrottle({ now: () => now, maxEntries: 10 });
    for (let i = 1; i < LOGIN_THROTTLE_DEFAULTS.maxFailures; i++) t.failed('dave');
    for (let i = 0; i < 1000; i++) t.failed(`spray-${i}`);
    now += 1;
    t.failed('dave');
    expect(t.retryAfter('dave')).toBe(LOGIN_THROTTLE_DEFAULTS.lockSeconds);
  });

  it('throttles usernames that find the table full as one, and frees room once records are spent', () => {
    let now = 0;
    const t = new LoginThrottle({ now: () => now, maxEntries: 3, maxFailures: 2 });
    for (const u of ['a', 'b', 'c']) t.failed(u);
    t.failed('x');
    expect(t.retryAfter('x')).toBe(0);
    t.failed('y');
    expect(t.retryAfter('x')).toBeGreaterThan(0);
    expect(t.retryAfter('z')).toBeGreaterThan(0);
    expect(t.retryAfter('a')).toBe(0);
    expect(t.size).toBe(4);
    now += (LOGIN_THROTTLE_DEFAULTS.windowSeconds + LOGIN_THROTTLE_DEFAULTS.maxLockSeconds + 1) * 1000;
    t.failed('q');
    expect(t.size).toBeLessThanOrEqual(3);
    t.failed('q');
    expect(t.retryAfter('q')).toBeGreaterThan(0);
    expect(t.retryAfter('z')).toBe(0);
  });
});

describe('login form throttling over HTTP', () => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startTestIdp();
  });
  afterAll(async () => {
    await idp?.close();
  });

  const attempt = async (username: string, password: string) => {
    const c = clientOf(idp.topology, 'acme-agent');
    const redirectUri = c.idp.redirect_uris[0] as string;
    const p = pkce();
    const meta = (await (await fetch(`${idp.idp.issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string };
    const url = new URL(meta.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: c.idp.client_id,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 's',
      code_challenge: p.code_challenge,
      code_challenge_method: p.code_challenge_method,
    }).toString();
    try {
      const cb = await driveLogin(url, { username, password, redirectUri });
      return { status: 303, body: cb.href };
    } catch (e) {
      if (!(e instanceof HeadlessLoginError)) throw e;
      return { status: e.status ?? 0, body: e.body ?? '' };
    }
  };

  it('refuses even the right password with 429 after repeated failures; other accounts still sign in', async () => {
    for (let i = 0; i < LOGIN_THROTTLE_DEFAULTS.maxFailures; i++) expect((await attempt('dave', `wrong-${i}`)).status).toBe(401);
    const locked = await attempt('dave', 'demo');
    expect(locked.status).toBe(429);
    expect(locked.body).toContain('Too many failed sign-ins');
    expect((await attempt('alice', 'demo')).status).toBe(303);
  });
});

/**
 * Login throttling (NIST SP 800-63B §5.2.2 "Rate Limiting (Throttling)"; OWASP ASVS V2.2.1): after
 * `maxFailures` failed sign-ins for one username within `windowSeconds`, that username is refused for
 * `lockSeconds` — with the right password too — and every failure after that doubles the lock, up to
 * `maxLockSeconds`. A successful sign-in clears the record.
 *
 * Keyed by the normalised username, unknown usernames included, so a lockout does not tell whether an
 * account exists. Not keyed by address: everyone on a playground comes from loopback, and one noisy
 * script must not lock every user out. Kept in memory (a restart forgets, as a playground may) and
 * bounded to `maxEntries` (the oldest record goes first).
 */

export interface LoginThrottleOptions {
  /** Failed sign-ins within the window before the username is locked. */
  maxFailures: number;
  /** Failures older than this no longer count (s). */
  windowSeconds: number;
  /** First lock (s); doubled for each further failure. */
  lockSeconds: number;
  maxLockSeconds: number;
  /** Usernames tracked at once. */
  maxEntries: number;
  /** Clock in milliseconds (injected for tests). */
  now: () => number;
}

export const LOGIN_THROTTLE_DEFAULTS: Omit<LoginThrottleOptions, 'now'> = {
  maxFailures: 5,
  windowSeconds: 15 * 60,
  lockSeconds: 30,
  maxLockSeconds: 15 * 60,
  maxEntries: 10_000,
};

interface Entry {
  failures: number;
  firstAt: number;
  lockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly o: LoginThrottleOptions;

  constructor(options: Partial<LoginThrottleOptions> = {}) {
    this.o = { ...LOGIN_THROTTLE_DEFAULTS, now: Date.now, ...options };
  }

  private key(username: string): string {
    return username.trim().toLowerCase();
  }

  /** Seconds until `username` may try again; 0 when a sign-in attempt is allowed now. */
  retryAfter(username: string): number {
    const e = this.entries.get(this.key(username));
    const now = this.o.now();
    return e && e.lockedUntil > now ? Math.ceil((e.lockedUntil - now) / 1000) : 0;
  }

  /** Records a failed sign-in (wrong password, unknown or disabled account). */
  failed(username: string): void {
    const key = this.key(username);
    const now = this.o.now();
    let e = this.entries.get(key);
    if (!e || (now - e.firstAt > this.o.windowSeconds * 1000 && e.lockedUntil <= now)) e = { failures: 0, firstAt: now, lockedUntil: 0 };
    e.failures++;
    if (e.failures >= this.o.maxFailures) {
      const lock = Math.min(this.o.lockSeconds * 2 ** (e.failures - this.o.maxFailures), this.o.maxLockSeconds);
      e.lockedUntil = now + lock * 1000;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    while (this.entries.size > this.o.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** A successful sign-in clears the username's record. */
  succeeded(username: string): void {
    this.entries.delete(this.key(username));
  }
}

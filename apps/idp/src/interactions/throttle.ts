/**
 * Login throttling (NIST SP 800-63B §5.2.2 "Rate Limiting (Throttling)"; OWASP ASVS V2.2.1): after
 * `maxFailures` failed sign-ins for one username within `windowSeconds`, that username is refused for
 * `lockSeconds` — with the right password too — and every failure after that doubles the lock, up to
 * `maxLockSeconds`. A successful sign-in clears the record.
 *
 * Keyed by the normalised username, unknown usernames included, so a lockout does not tell whether an
 * account exists. Not keyed by address: everyone on a playground comes from loopback, and one noisy
 * script must not lock every user out. Kept in memory (a restart forgets, as a playground may) and
 * bounded to `maxEntries`.
 *
 * The bound must not be a way to lift a lock: a record is dropped only once it is spent (its window
 * and its lock are both over), never to make room — otherwise failing logins for `maxEntries` other
 * usernames would evict the attacked one (OWASP ASVS V2.2.1: anti-automation that cannot be reset).
 * When the table is full of live records, usernames without one share a single overflow record, so
 * a spray across many usernames is throttled as one (password spraying, NIST SP 800-63B §5.2.2).
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

/** The record shared by usernames that found the table full (no username normalises to it). */
const OVERFLOW = '\u0000overflow';

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly o: LoginThrottleOptions;
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<LoginThrottleOptions> = {}) {
    this.o = { ...LOGIN_THROTTLE_DEFAULTS, now: Date.now, ...options };
  }

  private key(username: string): string {
    return username.trim().toLowerCase();
  }

  private spent(e: Entry, now: number): boolean {
    return now - e.firstAt > this.o.windowSeconds * 1000 && e.lockedUntil <= now;
  }

  /** The record that counts for `key`: its own, or the overflow record while the table is full. */
  private slot(key: string): string {
    if (this.entries.has(key) || this.entries.size < this.o.maxEntries) return key;
    const now = this.o.now();
    // Drop spent records, at most once a second (a full table under a spray would rescan every call).
    if (now - this.lastSweep >= 1000) {
      this.lastSweep = now;
      for (const [k, e] of this.entries) if (this.spent(e, now)) this.entries.delete(k);
    }
    return this.entries.size < this.o.maxEntries ? key : OVERFLOW;
  }

  /** Seconds until `username` may try again; 0 when a sign-in attempt is allowed now. */
  retryAfter(username: string): number {
    const e = this.entries.get(this.slot(this.key(username)));
    const now = this.o.now();
    return e && e.lockedUntil > now ? Math.ceil((e.lockedUntil - now) / 1000) : 0;
  }

  /** Records a failed sign-in (wrong password, unknown or disabled account). */
  failed(username: string): void {
    const key = this.slot(this.key(username));
    const now = this.o.now();
    let e = this.entries.get(key);
    if (!e || this.spent(e, now)) e = { failures: 0, firstAt: now, lockedUntil: 0 };
    e.failures++;
    if (e.failures >= this.o.maxFailures) {
      const lock = Math.min(this.o.lockSeconds * 2 ** (e.failures - this.o.maxFailures), this.o.maxLockSeconds);
      e.lockedUntil = now + lock * 1000;
    }
    this.entries.set(key, e);
  }

  /** Records tracked now (the overflow record included): never more than `maxEntries + 1`. */
  get size(): number {
    return this.entries.size;
  }

  /** A successful sign-in clears the username's record. */
  succeeded(username: string): void {
    this.entries.delete(this.key(username));
  }
}

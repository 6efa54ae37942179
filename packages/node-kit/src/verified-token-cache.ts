/**
 * Results of a JWT verification (signature and claim checks, `jwtVerify`), remembered by the SHA-256
 * of the compact token until the token's `exp`, so a token presented again skips the signature check.
 *
 * What it does not do: decide anything about the token's subject. A caller keeps every check that can
 * change while the token is unexpired (the user still exists and is enabled, `not_before`, audience
 * and client binding, policy) after the lookup, on a hit as on a miss, so revocation takes effect at
 * once. A verification that depends on keys the caller may replace must `clear()` the cache when they
 * change (key rotation), and one cache serves one call site (one set of `jwtVerify` options).
 *
 * Only the hash is kept, not the token (the raw token stays out of memory dumps beyond the request).
 * Bounded: an entry past `exp` is dropped when met; when full, the oldest insertion goes first.
 */
import { hash } from 'node:crypto';

export interface VerifiedTokenCacheOptions {
  /** Most entries kept (default 5,000). */
  max?: number;
}

export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; exp: number }>();
  private readonly max: number;

  constructor(options: VerifiedTokenCacheOptions = {}) {
    this.max = options.max ?? 5_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The cached result for `token` while `nowSeconds < exp`, else the result of `verify()` (cached when
   * the verified payload has a numeric `exp`). A failed verification is never cached.
   */
  async verify<R extends T>(token: string, nowSeconds: number, verify: () => Promise<R>, expOf: (value: R) => unknown): Promise<R> {
    const key = hash('sha256', token, 'base64url');
    const hit = this.entries.get(key);
    if (hit) {
      if (nowSeconds < hit.exp) return hit.value as R;
      this.entries.delete(key);
    }
    const value = await verify();
    const exp = expOf(value);
    if (typeof exp === 'number' && nowSeconds < exp) {
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, { value, exp });
    }
    return value;
  }

  /** Forget everything (the keys that verified these tokens changed). */
  clear(): void {
    this.entries.clear();
  }
}

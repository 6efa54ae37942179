/** VerifiedTokenCache: a hit skips `verify()` until `exp`; failures are not kept; bounded; clear(). */
import { describe, expect, it } from 'vitest';
import { VerifiedTokenCache } from '../src/verified-token-cache.ts';

const NOW = 1_800_000_000;

describe('VerifiedTokenCache', () => {
  it('verifies a token once while it is unexpired, again from its exp on', async () => {
    const cache = new VerifiedTokenCache<{ exp: number }>();
    let calls = 0;
    const verify = async () => {
      calls++;
      return { exp: NOW + 60 };
    };
    await cache.verify('t1', NOW, verify, (v) => v.exp);
    await cache.verify('t1', NOW + 59, verify, (v) => v.exp);
    expect(calls).toBe(1);
    await cache.verify('t1', NOW + 60, verify, (v) => v.exp);
    expect(calls).toBe(2);
  });

  it('keeps no failed verification and no result without a numeric exp', async () => {
    const cache = new VerifiedTokenCache<{ exp?: number }>();
    await expect(
      cache.verify(
        'bad',
        NOW,
        () => Promise.reject(new Error('signature')),
        () => undefined,
      ),
    ).rejects.toThrow('signature');
    await cache.verify(
      'no-exp',
      NOW,
      async (): Promise<{ exp?: number }> => ({}),
      (v) => v.exp,
    );
    expect(cache.size).toBe(0);
  });

  it('is bounded (the oldest entry goes first) and clear() forgets everything', async () => {
    const cache = new VerifiedTokenCache<{ exp: number }>({ max: 2 });
    for (const t of ['a', 'b', 'c'])
      await cache.verify(
        t,
        NOW,
        async () => ({ exp: NOW + 60 }),
        (v) => v.exp,
      );
    expect(cache.size).toBe(2);
    let calls = 0;
    await cache.verify(
      'a',
      NOW,
      async () => ({ exp: NOW + 60, n: ++calls }),
      (v) => v.exp,
    );
    expect(calls).toBe(1);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

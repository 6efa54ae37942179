import { describe, expect, it } from 'vitest';
import { DpopNonces } from '../src/dpop-nonce.ts';

const now = 1_800_000_000;

describe('DpopNonces (RFC 9449 §8, §9)', () => {
  it('accepts its own nonce within the lifetime, and not after', async () => {
    const n = new DpopNonces('secret', 300);
    const v = await n.issue(now);
    expect(await n.isCurrent(v, now)).toBe(true);
    expect(await n.isCurrent(v, now + 300)).toBe(true);
    expect(await n.isCurrent(v, now + 301)).toBe(false);
    // A nonce from the future (beyond a few seconds of skew) is not one it handed out.
    expect(await n.isCurrent(await n.issue(now + 60), now)).toBe(false);
  });

  it('refuses another secret’s nonce, an altered one and garbage', async () => {
    const n = new DpopNonces('secret');
    const other = await new DpopNonces('other').issue(now);
    expect(await n.isCurrent(other, now)).toBe(false);
    const v = await n.issue(now);
    const [t, mac] = v.split('.');
    expect(await n.isCurrent(`${(Number.parseInt(t as string, 36) + 1).toString(36)}.${mac}`, now)).toBe(false);
    expect(await n.isCurrent(`${v}x`, now)).toBe(false);
    for (const bad of [undefined, 1, '', '.', 'a.b.c', 'zz', `${t}.`, `${t}.!!`, 'x'.repeat(200)]) expect(await n.isCurrent(bad, now)).toBe(false);
  });
});

/**
 * Stateless DPoP nonces (RFC 9449 §8 at token endpoints, §9 at resources): a nonce is a timestamp and
 * an HMAC-SHA-256 over it under a server secret, accepted for `lifetimeSeconds` after it was handed
 * out. No table to keep: any instance holding the secret can check any nonce. WebCrypto only (runtime-
 * neutral); the MAC is compared by `crypto.subtle.verify`, in constant time.
 */
import { base64url, type CryptoKey } from 'jose';

/** How long a handed-out nonce is accepted (s). */
export const DPOP_NONCE_LIFETIME_SECONDS = 300;

export class DpopNonces {
  private key: Promise<CryptoKey> | undefined;

  constructor(
    private readonly secret: string | Uint8Array,
    private readonly lifetimeSeconds = DPOP_NONCE_LIFETIME_SECONDS,
  ) {}

  private hmac(): Promise<CryptoKey> {
    this.key ??= crypto.subtle.importKey(
      'raw',
      typeof this.secret === 'string' ? new TextEncoder().encode(this.secret) : new Uint8Array(this.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign', 'verify'],
    );
    return this.key;
  }

  private static data(t: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(new TextEncoder().encode(`dpop-nonce:${t}`));
  }

  /** A fresh nonce for the `DPoP-Nonce` header. */
  async issue(nowSeconds: number): Promise<string> {
    const t = Math.floor(nowSeconds).toString(36);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await this.hmac(), DpopNonces.data(t)));
    return `${t}.${base64url.encode(mac)}`;
  }

  /** True when `value` is a nonce this secret issued within the lifetime (a few seconds of skew allowed). */
  async isCurrent(value: unknown, nowSeconds: number): Promise<boolean> {
    if (typeof value !== 'string' || value.length > 100) return false;
    const [t, sig, extra] = value.split('.');
    if (!t || !sig || extra !== undefined || !/^[0-9a-z]{1,12}$/.test(t) || !/^[A-Za-z0-9_-]+$/.test(sig)) return false;
    let mac: Uint8Array<ArrayBuffer>;
    try {
      mac = new Uint8Array(base64url.decode(sig));
    } catch {
      return false;
    }
    if (!(await crypto.subtle.verify('HMAC', await this.hmac(), mac, DpopNonces.data(t)))) return false;
    const issued = Number.parseInt(t, 36);
    return issued <= nowSeconds + 5 && nowSeconds - issued <= this.lifetimeSeconds;
  }
}

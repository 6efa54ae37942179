/**
 * The user agent's cookie store: tough-cookie's RFC 6265 jar (domain and path matching, expiry,
 * deletion by `Max-Age=0`, host-only cookies) behind the two calls a fetch loop needs.
 */
import { CookieJar as RfcCookieJar } from 'tough-cookie';

export class CookieJar {
  /** The underlying RFC 6265 jar, for callers that need more than `header` and `store`. */
  readonly cookies = new RfcCookieJar();

  /** The `Cookie` header a browser would send to `url` (RFC 6265 §5.4); empty when none applies. */
  header(url: string | URL): string {
    return this.cookies.getCookieStringSync(String(url));
  }

  /** Keeps every `Set-Cookie` of `response`, received from `url` (RFC 6265 §5.3); a malformed one is ignored as a browser would. */
  store(url: string | URL, response: Response): void {
    for (const line of response.headers.getSetCookie()) this.cookies.setCookieSync(line, String(url), { ignoreError: true });
  }

  clear(): void {
    this.cookies.removeAllCookiesSync();
  }
}

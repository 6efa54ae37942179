/**
 * Outbound fetches of URLs that a client or a registration names (a client's `jwks_uri`, a Client
 * ID Metadata Document): the server-side request forgery rules of RFC 9700 §4.15 / OWASP SSRF.
 * - http(s) only; redirects are never followed (a 3xx is handed back as is); time and size capped.
 * - The host name is resolved here and every address it resolves to is checked; the connection then
 *   goes to the checked address (the resolver's answer is pinned, so DNS rebinding between check and
 *   connect cannot move it).
 * - Never: link-local and cloud metadata (169.254.0.0/16, fe80::/10, fd00:ec2::254), unspecified,
 *   multicast and broadcast — also when written as IPv4-mapped IPv6 (::ffff:169.254.169.254).
 * - Loopback and private ranges (127/8, 10/8, 172.16/12, 192.168/16, 100.64/10, ::1, fc00::/7) only
 *   when `allowPrivate` is set: by default, when the playground itself listens on such an address.
 */
import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

export interface OutboundPolicy {
  /** Allow loopback and private addresses (the playground on a laptop or a private network). */
  allowPrivate: boolean;
  timeoutMs?: number;
  maxBytes?: number;
}

export class OutboundRefused extends Error {
  readonly code = 'ERR_OUTBOUND_REFUSED';
}

function v4(ip: string): number[] | undefined {
  const p = ip.split('.').map(Number);
  return p.length === 4 && p.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? p : undefined;
}

/** 8 groups of 16 bits, or undefined; an embedded dotted IPv4 tail is folded in. */
function v6(ip: string): number[] | undefined {
  let s = ip
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .split('%')[0] as string;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const b = v4(tail[1] as string);
    if (!b) return undefined;
    s = `${s.slice(0, -(tail[1] as string).length)}${((b[0] as number) * 256 + (b[1] as number)).toString(16)}:${((b[2] as number) * 256 + (b[3] as number)).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const a = head ? head.split(':') : [];
  const b = rest !== undefined ? (rest ? rest.split(':') : []) : [];
  const groups = rest !== undefined ? [...a, ...Array(8 - a.length - b.length).fill('0'), ...b] : a;
  if (groups.length !== 8) return undefined;
  const out = groups.map((g) => Number.parseInt(g, 16));
  return out.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? out : undefined;
}

export type AddressClass = 'forbidden' | 'private' | 'public';

function classifyV4(b: number[]): AddressClass {
  const [a, c] = [b[0] as number, b[1] as number];
  if (a === 169 && c === 254) return 'forbidden'; // link-local, cloud metadata
  if (a === 0 || a >= 224) return 'forbidden'; // unspecified, multicast, reserved, broadcast
  if (a === 127 || a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168) || (a === 100 && c >= 64 && c <= 127)) return 'private';
  return 'public';
}

/** Where an IP address literal points (IPv4 or IPv6, IPv4-mapped and -compatible forms included). */
export function classifyAddress(ip: string): AddressClass {
  const four = v4(ip);
  if (four) return classifyV4(four);
  const g = v6(ip);
  if (!g) return 'forbidden';
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64): judge the IPv4 inside.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0xffff || (g5 === 0 && (g6 !== 0 || g7 > 1))))
    return classifyV4([g6 >> 8, g6 & 255, g7 >> 8, g7 & 255]);
  if (g0 === 0x64 && g1 === 0xff9b) return classifyV4([g6 >> 8, g6 & 255, g7 >> 8, g7 & 255]);
  if (g.every((n) => n === 0)) return 'forbidden'; // ::
  if (g.slice(0, 7).every((n) => n === 0) && g7 === 1) return 'private'; // ::1
  if ((g0 & 0xffc0) === 0xfe80) return 'forbidden'; // fe80::/10 link-local
  if ((g0 & 0xff00) === 0xff00) return 'forbidden'; // multicast
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) return 'forbidden'; // AWS IMDS
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  return 'public';
}

function allowed(ip: string, policy: OutboundPolicy): boolean {
  const c = classifyAddress(ip);
  return c === 'public' || (c === 'private' && policy.allowPrivate);
}

/** Whether the playground listening on `host` (a bind address or a host name) is on a private network. */
export function listensPrivately(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isIP(h) !== 0 && classifyAddress(h) !== 'public';
}

/** A DNS lookup that refuses unless every address the name resolves to is allowed; answers the first. */
function checkedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => !allowed(a.address, policy));
      if (bad || addresses.length === 0)
        return callback(new OutboundRefused(`${hostname} resolves to ${bad?.address ?? 'nothing'}, an address outbound fetches may not reach.`), '', 0);
      const first = addresses[0] as { address: string; family: number };
      if (options.all) (callback as unknown as (e: null, a: typeof addresses) => void)(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/**
 * A `fetch` for untrusted URLs under `policy`. Only GET/HEAD-style requests with simple headers are
 * expected (oidc-provider's jwks_uri fetch, the CIMD resolver); a request body is not sent.
 */
export function outboundFetch(policy: OutboundPolicy): typeof fetch {
  const timeoutMs = policy.timeoutMs ?? 5000;
  const maxBytes = policy.maxBytes ?? 256 * 1024;
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundRefused(`Only http(s) URLs are fetched, not ${url.protocol}`);
    if (url.username || url.password) throw new OutboundRefused('URLs with credentials are not fetched.');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !allowed(host, policy)) throw new OutboundRefused(`${host} is an address outbound fetches may not reach.`);
    const signals = [AbortSignal.timeout(timeoutMs), ...(init?.signal ? [init.signal] : [])];
    const signal = AbortSignal.any(signals);
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        {
          method: init?.method ?? 'GET',
          headers,
          lookup: checkedLookup(policy),
          signal,
          ...(url.protocol === 'https:' ? { servername: isIP(host) ? undefined : host } : {}),
        },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res) {
        size += (chunk as Buffer).byteLength;
        if (size > maxBytes) {
          res.destroy();
          throw new OutboundRefused(`The response is larger than ${maxBytes} bytes.`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (e) {
      res.destroy();
      throw e;
    }
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out.set(k, Array.isArray(v) ? v.join(', ') : v);
    const status = res.statusCode ?? 502;
    const body = status === 204 || status === 304 ? null : Buffer.concat(chunks);
    return new Response(body, { status, headers: out });
  }) as typeof fetch;
}

/**
 * The harnesses' HTTP client: plain `node:http` with keep-alive, a hard per-request timeout, and no
 * normalisation of what it sends (duplicate headers, any body bytes, any content type), so the
 * malformed-input corpus reaches the servers as written. Loopback only.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpRequest {
  method?: string;
  /** Header values as arrays are sent as repeated header lines. */
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  timeoutMs?: number;
  agent?: Agent;
  /** Resolve on the headers of an event stream (`text/event-stream`) and close it, instead of waiting for its end. */
  streamHeadersOnly?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** The request got no complete response within its time budget: a hang. */
export class HttpTimeout extends Error {
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`no response from ${url} within ${timeoutMs} ms`);
    this.name = 'HttpTimeout';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function assertLoopback(url: string | URL): URL {
  const u = new URL(url);
  if (!LOOPBACK.has(u.hostname)) throw new Error(`The harnesses only talk to loopback addresses, not ${u.hostname}.`);
  return u;
}

/**
 * A keep-alive agent sized for `sockets` concurrent requests. Idle sockets are dropped after 4 s, before
 * the servers' advertised `Keep-Alive: timeout=5` closes them: reusing a socket the server is closing
 * at that moment would fail as ECONNRESET (what well-behaved clients such as undici avoid the same way).
 */
export function keepAliveAgent(sockets = 256): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, keepAliveMsecs: 1000, timeout: 4000 });
}

const defaultAgent = keepAliveAgent(64);

/** Largest response body kept (bytes); the rest is read and dropped. */
const MAX_BODY = 1 << 20;

export function send(url: string | URL, options: HttpRequest = {}): Promise<HttpResponse> {
  const u = assertLoopback(url);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...options.headers };
    if (options.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
      headers['content-length'] = Buffer.byteLength(options.body);
    // `localhost` may resolve to ::1 first; the playground listens on 127.0.0.1.
    const req = httpRequest(
      {
        protocol: 'http:',
        hostname: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: options.method ?? 'GET',
        headers: { host: u.host, ...headers },
        agent: options.agent ?? defaultAgent,
        setHost: false,
      },
      (res) => {
        if (options.streamHeadersOnly && String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '', ms: performance.now() - t0 });
          req.destroy();
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= MAX_BODY) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new HttpTimeout(u.href, timeoutMs));
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

export function form(params: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) p.append(k, v);
  return p.toString();
}

/** The path of a URL, without its query. */
export const pathOf = (url: string) => new URL(url).pathname;

export function basic(id: string, secret: string): string {
  // RFC 6749 §2.3.1: form-urlencode each part before base64.
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

export function json<T = unknown>(res: HttpResponse): T {
  try {
    return JSON.parse(res.body) as T;
  } catch {
    throw new Error(`expected JSON from a ${res.status} response, got: ${res.body.slice(0, 120)}`);
  }
}

/**
 * `send` behind the fetch signature, for the shared headless user agent: the harness's browser goes
 * through its own loopback-only keep-alive client. Redirects are never followed (`redirect: 'manual'`).
 */
export async function harnessFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const res = await send(url, {
    method: init.method ?? 'GET',
    headers: Object.fromEntries(new Headers(init.headers).entries()),
    ...(typeof init.body === 'string' ? { body: init.body } : init.body instanceof URLSearchParams ? { body: init.body.toString() } : {}),
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const nullBody = res.status === 204 || res.status === 205 || res.status === 304;
  return new Response(nullBody ? null : res.body, { status: res.status, headers });
}

const documents = new Map<string, Promise<unknown>>();

/** A JSON document (server metadata) fetched once per URL and kept; a failed fetch is not kept. */
export function jsonOnce<T>(url: string, what: string): Promise<T> {
  let m = documents.get(url) as Promise<T> | undefined;
  if (!m) {
    m = send(url).then((r) => {
      if (r.status !== 200) throw new Error(`${what} answered ${r.status}`);
      return json<T>(r);
    });
    m.catch(() => documents.delete(url));
    documents.set(url, m);
  }
  return m;
}

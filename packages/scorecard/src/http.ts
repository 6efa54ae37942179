/** The scorecard's HTTP: injected fetch, a timeout on every request, JSON bodies read defensively. */

export type FetchFn = typeof fetch;

export interface HttpDeps {
  fetch?: FetchFn;
  /** Per-request timeout in milliseconds (default 15 s). */
  timeoutMs?: number;
}

export class ScorecardError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ScorecardError';
  }
}

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
  text: string;
}

export async function request(url: string, init: RequestInit, deps: HttpDeps = {}): Promise<HttpResult> {
  const fetchFn = deps.fetch ?? fetch;
  const res = await fetchFn(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(deps.timeoutMs ?? 15_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export async function getJson(url: string, deps: HttpDeps = {}): Promise<Record<string, unknown>> {
  let r: HttpResult;
  try {
    r = await request(url, { headers: { accept: 'application/json' } }, deps);
  } catch (e) {
    throw new ScorecardError(`GET ${url} failed: ${(e as Error).message}`, 'ERR_UNREACHABLE');
  }
  if (r.status !== 200 || typeof r.json !== 'object' || r.json === null || Array.isArray(r.json))
    throw new ScorecardError(`GET ${url} answered ${r.status}${r.json ? '' : ' without a JSON object'}.`, 'ERR_BAD_DOCUMENT');
  return r.json as Record<string, unknown>;
}

/** RFC 6749 §2.3.1: client_id and secret are form-urlencoded before Basic encoding. */
export function basicAuth(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

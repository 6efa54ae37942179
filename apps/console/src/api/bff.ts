/**
 * The SPA's only way out: same-origin calls to the console backend. Cookies carry the session;
 * every mutating request carries the CSRF token (double submit). No token is ever stored here.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly fields?: Record<string, string>,
  ) {
    super(description || error);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined) {
  csrfToken = token;
}

function csrfFromCookie(): string | undefined {
  if (typeof document === 'undefined') return undefined;
  const m = /(?:^|;\s*)xaa_console_csrf=([^;]+)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1] as string) : undefined;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal; raw?: boolean } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    const token = csrfToken ?? csrfFromCookie();
    if (token) headers['x-csrf-token'] = token;
  }
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (init.raw) {
    if (!res.ok) throw await toError(res);
    return res as unknown as T;
  }
  if (res.status === 204) return undefined as T;
  if (!res.ok) throw await toError(res);
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

async function toError(res: Response): Promise<ApiError> {
  let body: { error?: string; error_description?: string; fields?: Record<string, string> } = {};
  try {
    body = await res.json();
  } catch {
    // not JSON
  }
  if (res.status === 401 && body.error === 'login_required') window.dispatchEvent(new Event('xaa:signed-out'));
  return new ApiError(res.status, body.error ?? `http_${res.status}`, body.error_description ?? res.statusText, body.fields);
}

export interface PlaygroundInfo {
  idp: { issuer: string };
  servers: Array<{ name: string; title: string; issuer: string; resource: string; scopes: string[]; xaa: boolean }>;
  clients: Array<{ name: string; title: string }>;
  agent: { url: string };
  console: { url: string; client_id?: string };
}

export type SessionInfo =
  | { signedIn: false }
  | {
      signedIn: true;
      user: { sub: string; username: string; name?: string; email?: string };
      csrfToken: string;
      expiresAt: number;
      playground: PlaygroundInfo;
    };

/**
 * A typed HTTP client for a running playground, built from its `playground.json` (docs/decisions.md §3). It
 * acts as the seeded "ops" client: admin-API tokens come from the IdP's client-credentials grant with
 * an RFC 8707 resource indicator per API, exactly as any script would do it — no shortcuts into an
 * app's internals. Used by the scenarios, from the CLI and from the console's backend.
 */
import { formatTraceparent, type TraceContext } from '@xaa/protocol';

export interface Manifest {
  idp: { issuer: string; admin: string };
  servers: Array<{ name: string; title: string; issuer: string; resource: string; scopes: string[]; xaa: boolean; admin: string }>;
  clients: Array<{
    name: string;
    title: string;
    idp: { client_id: string; client_secret: string; redirect_uris: string[] };
    servers: Record<string, { client_id: string; client_secret: string }>;
  }>;
  users: Array<{ username: string; password: string; email: string; groups: string[]; admin?: boolean }>;
  connections: Array<{ client: string; server: string; scopes: string[]; audience: unknown; ttl: number; enabled: boolean }>;
  agent: { url: string };
  console: { url: string };
  ops: { client_id: string; client_secret: string };
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly url: string,
  ) {
    const b = body as { error?: string; error_description?: string } | undefined;
    super(`${url} answered ${status}${b?.error ? ` ${b.error}` : ''}${b?.error_description ? `: ${b.error_description}` : ''}`);
  }
}

export interface ClientOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  /**
   * Where admin-API tokens come from. Default: the ops client's client-credentials grant. The console
   * passes the signed-in admin's tokens instead, so the audit log names the person.
   */
  adminTokens?: (audience: string) => Promise<string>;
}

export class PlaygroundClient {
  private readonly tokens = new Map<string, { token: string; exp: number }>();
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private tokenEndpoint: string | undefined;
  private readonly tokenSource: ((audience: string) => Promise<string>) | undefined;
  /** The trace every request of the current step belongs to (the console links steps to the live view). */
  trace: TraceContext | undefined;

  constructor(
    readonly manifest: Manifest,
    options: ClientOptions = {},
  ) {
    this.fetchFn = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.tokenSource = options.adminTokens;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.trace ? { traceparent: formatTraceparent(this.trace) } : {}), ...extra };
  }

  async request<T = unknown>(
    method: string,
    url: string,
    options: { body?: unknown; token?: string; form?: Record<string, string>; auth?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const headers = this.headers({
      ...(options.token ? { authorization: `Bearer ${options.token}` } : options.auth ? { authorization: options.auth } : {}),
      ...options.headers,
    });
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await this.fetchFn(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** An admin-API token for `audience` (an app's `/admin` URL), from the ops client's credentials. */
  async adminToken(audience: string): Promise<string> {
    if (this.tokenSource) return this.tokenSource(audience);
    const cached = this.tokens.get(audience);
    if (cached && cached.exp > Date.now() / 1000 + 10) return cached.token;
    this.tokenEndpoint ??= (
      await this.request<{ token_endpoint: string }>('GET', `${this.manifest.idp.issuer}/.well-known/openid-configuration`)
    ).body.token_endpoint;
    const basic = `Basic ${btoa(`${encodeURIComponent(this.manifest.ops.client_id)}:${encodeURIComponent(this.manifest.ops.client_secret)}`)}`;
    const r = await this.request<{ access_token: string; expires_in: number }>('POST', this.tokenEndpoint, {
      auth: basic,
      form: { grant_type: 'client_credentials', resource: audience, scope: 'xaa:admin' },
    });
    if (r.status !== 200) throw new HttpProblem(r.status, r.body, this.tokenEndpoint);
    this.tokens.set(audience, { token: r.body.access_token, exp: Date.now() / 1000 + r.body.expires_in });
    return r.body.access_token;
  }

  private async admin<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
    const url = `${base}${path}`;
    const r = await this.request<T>(method, url, { token: await this.adminToken(base), ...(body !== undefined ? { body } : {}) });
    if (r.status >= 400) throw new HttpProblem(r.status, r.body, url);
    return r.body;
  }

  idp<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.admin<T>(this.manifest.idp.admin, method, path, body);
  }

  agent<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    return this.admin<T>(`${this.manifest.agent.url}/admin`, method, path, body);
  }

  server<T = unknown>(name: string, method: string, path: string, body?: unknown): Promise<T> {
    const s = this.manifest.servers.find((x) => x.name === name);
    if (!s) throw new Error(`No server ${name} in the manifest.`);
    return this.admin<T>(s.admin, method, path, body);
  }

  app(name: string): Manifest['clients'][number] {
    const c = this.manifest.clients.find((x) => x.name === name);
    if (!c) throw new Error(`No client app ${name} in the manifest.`);
    return c;
  }

  serverDef(name: string): Manifest['servers'][number] {
    const s = this.manifest.servers.find((x) => x.name === name);
    if (!s) throw new Error(`No server ${name} in the manifest.`);
    return s;
  }
}

/** Admin-API calls with an ops token (docs/contracts.md "Admin APIs"), token cached per audience. */
import type { Agent } from 'node:http';
import { type HttpResponse, send } from './http.ts';
import type { Manifest } from './stack.ts';
import { opsAccessToken } from './xaa.ts';

export class AdminClient {
  private tokens = new Map<string, Promise<string>>();

  constructor(
    readonly manifest: Manifest,
    private readonly agent?: Agent,
  ) {}

  /** The admin base URL (`<origin>/admin`) is also the token's audience. */
  token(base: string): Promise<string> {
    let t = this.tokens.get(base);
    if (!t) {
      t = opsAccessToken(this.manifest, base);
      t.catch(() => this.tokens.delete(base));
      this.tokens.set(base, t);
    }
    return t;
  }

  async call(base: string, method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<HttpResponse> {
    const token = await this.token(base);
    return send(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs,
      ...(this.agent ? { agent: this.agent } : {}),
    });
  }

  async json<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call(base, method, path, body);
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${base}${path} → ${r.status} ${r.body.slice(0, 200)}`);
    return JSON.parse(r.body) as T;
  }
}

/**
 * Talking to the playground IdP as an administrator (docs/contracts.md, admin APIs): an access token from the ops
 * client's client-credentials grant (RFC 8707 resource = the IdP admin URL, scope `xaa:admin`), then
 * the admin endpoints the scorecards use: `POST /admin/scorecard/mint`, `GET/PUT /admin/faults`,
 * `GET /admin/events`.
 */
import { ADMIN_SCOPE, type FlowEvent, GRANT_TYPE_CLIENT_CREDENTIALS } from '@xaa/protocol';
import type { JSONWebKeySet } from 'jose';
import { basicAuth, getJson, type HttpDeps, request, ScorecardError } from './http.ts';

/** Claim changes the IdP applies before signing with its real current key (the mint contract). */
export interface MintMutation {
  /** JOSE `typ` to put in the header; `null` removes it. Default: `oauth-id-jag+jwt`. */
  typ?: string | null;
  /** Claims to set or replace (never `iss`: the IdP only signs its own issuer). */
  set?: Record<string, unknown>;
  /** Claims to leave out. */
  remove?: string[];
  /** Time claims as offsets in seconds from the IdP's now (e.g. `{ iat: -900, exp: -600 }`). */
  times?: { iat?: number; exp?: number; nbf?: number };
}

export interface MintRequest {
  /** The AS issuer (`aud`). */
  audience: string;
  /** The client's id at that AS (`client_id`). */
  client_id: string;
  resource?: string;
  scope?: string;
  /** IdP username; `sub` and `email` are what the IdP would put in an ID-JAG for that audience. */
  user: string;
  /** Lifetime in seconds (default: the IdP's ID-JAG lifetime). */
  ttl?: number;
  mutation?: MintMutation;
}

export interface MintedToken {
  assertion: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface IdpAccess extends HttpDeps {
  issuer: string;
  /** The IdP admin API base URL (default `${issuer}/admin`). */
  admin?: string;
  /** A ready admin token, or the ops client to get one. */
  adminToken?: string;
  ops?: { client_id: string; client_secret: string };
}

export class IdpAdmin {
  readonly issuer: string;
  readonly admin: string;
  private discovery: Promise<Record<string, unknown>> | undefined;

  constructor(private readonly access: IdpAccess) {
    this.issuer = access.issuer;
    this.admin = access.admin ?? `${access.issuer}/admin`;
  }

  private deps(): HttpDeps {
    return { ...(this.access.fetch ? { fetch: this.access.fetch } : {}), ...(this.access.timeoutMs ? { timeoutMs: this.access.timeoutMs } : {}) };
  }

  metadata(): Promise<Record<string, unknown>> {
    this.discovery ??= getJson(`${this.issuer}/.well-known/openid-configuration`, this.deps()).catch((e) => {
      this.discovery = undefined;
      throw e;
    });
    return this.discovery;
  }

  async jwks(): Promise<JSONWebKeySet> {
    const md = await this.metadata();
    if (typeof md.jwks_uri !== 'string') throw new ScorecardError(`The IdP ${this.issuer} publishes no jwks_uri.`, 'ERR_NO_JWKS');
    return (await getJson(md.jwks_uri, this.deps())) as unknown as JSONWebKeySet;
  }

  /** An admin token for this IdP's own admin API. */
  adminToken(): Promise<string> {
    return this.tokenFor(this.admin);
  }

  private readonly tokens = new Map<string, Promise<string>>();

  /**
   * An admin token for any admin API the IdP issues tokens for (RFC 8707 resource = that API's URL,
   * e.g. a sample server's `<origin>/admin`), from the ops client's client-credentials grant.
   */
  tokenFor(resource: string): Promise<string> {
    if (resource === this.admin && this.access.adminToken) return Promise.resolve(this.access.adminToken);
    let t = this.tokens.get(resource);
    if (!t) {
      t = this.fetchAdminToken(resource).catch((e) => {
        this.tokens.delete(resource);
        throw e;
      });
      this.tokens.set(resource, t);
    }
    return t;
  }

  private async fetchAdminToken(resource: string): Promise<string> {
    const ops = this.access.ops;
    if (!ops) throw new ScorecardError('No admin token and no ops client: pass --admin-token, or the ops client (playground.json "ops").', 'ERR_NO_ADMIN');
    const md = await this.metadata();
    const body = new URLSearchParams({ grant_type: GRANT_TYPE_CLIENT_CREDENTIALS, resource, scope: ADMIN_SCOPE });
    const r = await request(
      String(md.token_endpoint),
      { method: 'POST', headers: { authorization: basicAuth(ops.client_id, ops.client_secret), 'content-type': 'application/x-www-form-urlencoded' }, body },
      this.deps(),
    );
    const json = r.json as { access_token?: string; error?: string; error_description?: string } | undefined;
    if (r.status !== 200 || !json?.access_token)
      throw new ScorecardError(
        `The IdP refused an admin token for ${resource} to the ops client: ${r.status} ${json?.error ?? ''} ${json?.error_description ?? ''}`.trim(),
        'ERR_ADMIN_TOKEN',
      );
    return json.access_token;
  }

  /** GET/PUT/POST on any admin API (`base` = its `/admin` URL) with a token for it. */
  async callAdmin(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${base}${path}`;
    const r = await request(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${await this.tokenFor(base)}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      this.deps(),
    );
    if (r.status >= 300) {
      const j = r.json as { error?: string; error_description?: string } | undefined;
      throw new ScorecardError(`${method} ${url} answered ${r.status} ${j?.error ?? ''}: ${j?.error_description ?? r.text.slice(0, 200)}`, 'ERR_ADMIN_CALL');
    }
    return r.json;
  }

  /** A request to this IdP's admin API that hands back the status and body instead of throwing on 4xx. */
  async adminRequest(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const r = await request(
      `${this.admin}${path}`,
      {
        method,
        headers: {
          authorization: `Bearer ${await this.tokenFor(this.admin)}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      },
      this.deps(),
    );
    if (r.status >= 500) throw new ScorecardError(`${method} ${this.admin}${path} answered ${r.status}: ${r.text.slice(0, 200)}`, 'ERR_ADMIN_CALL');
    return { status: r.status, json: r.json };
  }

  /** Recent flow events of any app's admin API, oldest first. */
  async eventsOf(base: string, options: { after?: string; limit?: number } = {}): Promise<FlowEvent[]> {
    const q = new URLSearchParams();
    if (options.after) q.set('after', options.after);
    q.set('limit', String(options.limit ?? 2000));
    const r = (await this.callAdmin(base, 'GET', `/events?${q}`)) as { events?: FlowEvent[] };
    return r.events ?? [];
  }

  private call(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.callAdmin(this.admin, method, path, body);
  }

  mint(req: MintRequest): Promise<MintedToken> {
    return this.call('POST', '/scorecard/mint', req) as Promise<MintedToken>;
  }

  getFaults(): Promise<FaultState> {
    return this.call('GET', '/faults') as Promise<FaultState>;
  }

  putFaults(state: FaultState): Promise<FaultState> {
    return this.call('PUT', '/faults', state) as Promise<FaultState>;
  }

  events(options: { after?: string; limit?: number } = {}): Promise<FlowEvent[]> {
    return this.eventsOf(this.admin, options);
  }
}

/** IdP fault switches (the `GET/PUT /admin/faults` document). */
export type FaultKind = 'typ' | 'aud' | 'expired' | 'missing_jti' | 'unknown_kid' | 'slow' | 'server_error' | 'access_denied';

export interface FaultRule {
  kind: FaultKind;
  /** Limit to one client app at the IdP (client_id at the IdP); omitted = every client. */
  client?: string;
  /** Limit to one server (playground server name); omitted = every server. */
  server?: string;
  /** For `slow`: delay in milliseconds (default 3000, at most 20000). */
  delayMs?: number;
  /** Fire at most this many times, then switch off (omitted = until removed). */
  remaining?: number;
}

export interface FaultState {
  faults: FaultRule[];
}

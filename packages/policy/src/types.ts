/**
 * The data the policy engine reasons about. Everything is plain data handed in by the caller: the
 * engine does no I/O, reads no clock of its own and never throws for an expected outcome.
 */

/** Who a connection is for (docs/decisions.md §3): everyone, members of some groups, or named users. */
export type Audience = { kind: 'all' } | { kind: 'groups'; groups: string[] } | { kind: 'users'; users: string[] };

/**
 * A connection: an admin's approval that client app → MCP server may be used, by whom and with which
 * scopes. The pair (issuer, resource) is the EMA §7.6.1 registered pairing; `remote_client_id` is the
 * draft-04 §5 mapping of the client to its registration at that AS (it becomes the ID-JAG `client_id`).
 */
export interface Connection {
  id: string;
  /** The client's id at the IdP. */
  client: string;
  /** Server name (topology id), e.g. `tasks`. */
  server: string;
  /** The resource AS issuer: the ID-JAG `aud`. */
  issuer: string;
  /** RFC 8707 resource identifier of the MCP server: the ID-JAG `resource`. */
  resource: string;
  /** The client's id at that AS. */
  remote_client_id: string;
  /** Scopes this connection may grant. */
  scopes: string[];
  audience: Audience;
  /** ID-JAG lifetime in seconds. */
  ttl: number;
  enabled: boolean;
  /**
   * Step-up (draft-04 §9.2, EMA §7.2.1): the user must have authenticated at most this many seconds
   * ago; older sign-ins get `insufficient_user_authentication` with `max_age`.
   */
  max_auth_age?: number;
  /**
   * Sender constraint (RFC 9449; draft-04 §9.8.1.1): the token exchange must carry a valid DPoP proof,
   * so the ID-JAG is bound to the client's key (`cnf.jkt`). A request without one is refused with
   * `invalid_dpop_proof`.
   */
  require_dpop?: boolean;
  /** Optional validity window (seconds since the epoch). */
  not_before?: number;
  not_after?: number;
}

export interface DirectoryUser {
  /** Stable id (the IdP `sub`). */
  id: string;
  username: string;
  groups: string[];
  disabled: boolean;
}

export interface DirectoryServer {
  name: string;
  title: string;
  /** AS issuer, compared byte for byte (docs/decisions.md §4). */
  issuer: string;
  /** Resource identifiers this AS serves. */
  resources: string[];
  scopes: string[];
}

export interface DirectoryClient {
  client_id: string;
  title: string;
  disabled: boolean;
}

/** Read-only view of the IdP's directory. Lookups are functions so callers may index as they like. */
export interface Directory {
  user(id: string): DirectoryUser | undefined;
  client(id: string): DirectoryClient | undefined;
  servers(): readonly DirectoryServer[];
}

export interface PolicyRequest {
  /** The user the subject token names (IdP user id). */
  user: string;
  /** The authenticated client at the IdP. */
  client: string;
  /** RFC 8693 `audience`: must be a registered AS issuer. */
  audience: string;
  /** RFC 8707 `resource`: optional, but if present must pair with the audience (EMA §7.6.1). */
  resource?: string;
  /** Requested scopes; `undefined` means the request had no `scope` (grant everything allowed). */
  scopes?: string[];
  /** When the user authenticated (OIDC `auth_time`), for connections that require a recent sign-in. */
  auth_time?: number;
  /** RFC 7638 thumbprint of the key a valid DPoP proof on the request proved, if any (RFC 9449 §4.3). */
  dpop_jkt?: string;
}

/** docs/decisions.md §4 error codes a policy outcome maps to. */
export type DenyCode =
  | 'invalid_target'
  | 'access_denied'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'invalid_grant'
  | 'insufficient_user_authentication'
  | 'invalid_dpop_proof';

export interface TraceStep {
  /** Stable check id, e.g. `target.audience`, `connection.audience`. */
  check: string;
  /** `warn`: passed, with a caution the trace shows (e.g. a public client at token exchange). */
  outcome: 'pass' | 'fail' | 'skip' | 'warn';
  detail: string;
}

export interface Allow {
  effect: 'allow';
  /** The rule that decided: `connection:<id>`. */
  rule: string;
  grantedScopes: string[];
  /** True when the request asked for scopes the connection does not allow (silently narrowed). */
  narrowed: boolean;
  reasons: string[];
  connection: Connection;
  server: DirectoryServer;
  /** The resource the ID-JAG will carry. */
  resource: string;
  trace: TraceStep[];
}

export interface Deny {
  effect: 'deny';
  /** The rule that decided, e.g. `connection:<id>:audience`, `target:unknown_audience`. */
  rule: string;
  code: DenyCode;
  /** Caller-safe description: names the rule, never the user's groups. */
  description: string;
  /** The main reason (audit). */
  reason: string;
  /** Every reason (audit; may name groups). */
  reasons: string[];
  connection?: Connection;
  server?: DirectoryServer;
  /** For `insufficient_user_authentication`: the maximum authentication age to sign in again with. */
  max_age?: number;
  trace: TraceStep[];
}

export type Decision = Allow | Deny;

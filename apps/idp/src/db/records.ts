/**
 * The IdP directory's records: users, groups, client apps (with their per-AS client ids, the
 * draft-04 §5 mapping), MCP servers (the EMA §7.6.1 (audience, resource) pairs) and connections,
 * as plain records with wire-style snake_case names; and the few helpers that read them from rows.
 */
import type { Audience } from '@xaa/policy';

/** Another user already has this email (compared case-insensitively): emails are unique at the IdP. */
export class EmailTakenError extends Error {
  readonly code = 'ERR_EMAIL_TAKEN';
  constructor(readonly email: string) {
    super(`Another user already has the email ${email}.`);
  }
}

export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
/** `sign-in`: a sample server's AS signing its users in through this IdP (an OpenID relying party, no token exchange). */
export type AppKind = 'app' | 'console' | 'ops' | 'sign-in';

export interface UserRecord {
  id: string;
  username: string;
  email: string;
  name: string;
  groups: string[];
  admin: boolean;
  disabled: boolean;
  /** Epoch seconds: tokens issued before this are refused. */
  not_before: number;
  created_at: number;
  updated_at: number;
}

export interface GroupRecord {
  name: string;
  title: string;
}

export interface ServerRecord {
  name: string;
  title: string;
  issuer: string;
  resource: string;
  scopes: string[];
  xaa: boolean;
  pairwise_subject: boolean;
  admin_url: string | null;
}

export interface AppRecord {
  client_id: string;
  title: string;
  kind: AppKind;
  client_secret: string | null;
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  jwks: { keys: Record<string, unknown>[] } | null;
  token_exchange: boolean;
  disabled: boolean;
  /** server name → the app's client_id at that server's AS. */
  registrations: Record<string, string>;
  created_at: number;
  updated_at: number;
}

export interface ConnectionRecord {
  id: string;
  client_id: string;
  server: string;
  scopes: string[];
  audience: Audience;
  ttl: number;
  enabled: boolean;
  /** Step-up: maximum age (s) of the user's sign-in; null = any. */
  max_auth_age: number | null;
  /** Sender constraint: the token exchange must carry a DPoP proof (RFC 9449 §4). */
  require_dpop: boolean;
  created_at: number;
  updated_at: number;
}

/** A SQLite row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;
/** A JSON-encoded column. */
export const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
/** A 0/1 column. */
export const bool = (v: unknown) => v === 1 || v === true;

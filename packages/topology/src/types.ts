/** The demo world as data. Every app seeds itself from its part of a `Topology`. */

export interface ServerDef {
  /** Short id, used in party names (`as:tasks`, `mcp:tasks`) and URLs. */
  name: string;
  title: string;
  port: number;
  /** AS issuer, no trailing slash (docs/decisions.md §4). */
  issuer: string;
  /** RFC 9728 resource identifier of the MCP endpoint. */
  resource: string;
  scopes: string[];
  /** Whether the AS redeems ID-JAGs (false = classic OAuth only, the "before XAA" contrast). */
  xaa: boolean;
  /** Admin API base URL of this server's origin (resource indicator for admin tokens). */
  admin: string;
  /**
   * The AS's own registration at the IdP as an OpenID relying party ("Sign in with Acme SSO"): its
   * users sign in through the IdP, then see its consent screen. Redirect URI `{issuer}/sso/callback`.
   */
  sso?: ClientRegistration;
}

export interface ClientRegistration {
  client_id: string;
  client_secret: string;
}

export interface ClientDef {
  name: string;
  title: string;
  idp: ClientRegistration & { redirect_uris: string[]; post_logout_redirect_uris: string[] };
  /** The app's own registration at each server's AS, keyed by server name. */
  servers: Record<string, ClientRegistration>;
  /** Present when the app also signs in with SAML 2.0 Web SSO: its SP entity ID and ACS URL at the IdP. */
  saml?: { entity_id: string; acs_url: string };
}

export interface UserDef {
  username: string;
  password: string;
  email: string;
  name: string;
  groups: string[];
  admin: boolean;
}

export interface GroupDef {
  name: string;
  title: string;
}

export type Audience = { kind: 'all' } | { kind: 'groups'; groups: string[] } | { kind: 'users'; users: string[] };

/** A connection: client app → MCP server, allowed scopes, for whom (docs/decisions.md §3, issue "policy engine"). */
export interface ConnectionDef {
  client: string;
  server: string;
  scopes: string[];
  audience: Audience;
  /** ID-JAG lifetime in seconds. */
  ttl: number;
  enabled: boolean;
}

export interface Topology {
  host: string;
  dataDir: string;
  idp: { issuer: string; port: number; admin: string; saml: { metadata_url: string } };
  servers: ServerDef[];
  clients: ClientDef[];
  users: UserDef[];
  groups: GroupDef[];
  connections: ConnectionDef[];
  agent: { url: string; port: number; admin: string };
  console: { url: string; port: number; admin: string; client: ClientRegistration & { redirect_uris: string[] } };
  /** Client-credentials client for scripts and tests; may obtain admin-API tokens. */
  ops: ClientRegistration;
}

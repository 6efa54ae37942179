/** Shapes of the IdP admin API the console shows (wire names verbatim, as the IdP serves them). */

export type Audience = { kind: 'all' } | { kind: 'groups'; groups: string[] } | { kind: 'users'; users: string[] };

export interface User {
  id: string;
  username: string;
  email: string;
  name: string;
  groups: string[];
  admin: boolean;
  disabled: boolean;
  not_before?: number;
}

export interface Group {
  name: string;
  title: string;
  members?: string[];
}

export interface App {
  client_id: string;
  title: string;
  kind?: string;
  token_endpoint_auth_method?: string;
  redirect_uris?: string[];
  token_exchange?: boolean;
  disabled?: boolean;
  /** server name → the app's client_id at that server's AS. */
  registrations: Record<string, string>;
}

export interface Server {
  name: string;
  title: string;
  issuer: string;
  resource: string;
  scopes: string[];
  xaa: boolean;
  pairwise_subject?: boolean;
}

export interface Connection {
  id: string;
  client_id: string;
  server: string;
  scopes: string[];
  audience: Audience;
  ttl: number;
  enabled: boolean;
  /** Token exchanges must carry a DPoP proof (RFC 9449), so every ID-JAG is key-bound (cnf.jkt). */
  require_dpop?: boolean;
  updated_at?: number;
}

export type ConnectionDraft = Omit<Connection, 'id' | 'updated_at'> & { id?: string };

export interface TraceStep {
  check: string;
  outcome: 'pass' | 'fail' | 'skip';
  detail: string;
}

export interface SimulateResult {
  decision: {
    effect: 'allow' | 'deny';
    rule: string;
    reasons: string[];
    grantedScopes?: string[];
    narrowed?: boolean;
    code?: string;
  };
  trace: TraceStep[];
  /** The ID-JAG claims that would be minted (allow only). */
  claims?: Record<string, unknown> | null;
  header?: Record<string, unknown>;
  error?: { error: string; error_description: string };
}

export interface AccessEntry {
  app: string;
  app_title?: string;
  server: string;
  server_title?: string;
  issuer?: string;
  resource?: string;
  scopes?: string[];
  effect: 'allow' | 'deny';
  rule: string;
  code?: string;
  reasons: string[];
  client_id_at_server?: string;
  ttl?: number;
}

export interface SigningKey {
  kid: string;
  alg: string;
  current: boolean;
  created_at: number;
  retired_at: number | null;
  published_until: number | null;
}

/** `GET /admin/saml` at the IdP: its SAML 2.0 side (entity ID, certificates in rotation) and the SAML apps. */
export interface SamlInfo {
  entity_id: string;
  metadata_url: string;
  sso_url: string;
  overlap_seconds: number;
  now: number;
  certificates: Array<{
    id: string;
    current: boolean;
    created_at: number;
    retired_at: number | null;
    published_until: number | null;
    subject: string;
    not_after: number;
    fingerprint_sha256: string;
  }>;
  apps: Array<{ client_id: string; entity_id: string; acs_urls: string[]; name_id_format: string; authn_requests_signed: boolean }>;
}

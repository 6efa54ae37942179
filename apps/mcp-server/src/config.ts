/**
 * Configuration of the sample MCP servers: one typed, documented defaults object.
 * `main.ts` is the only file that reads the environment; everything else receives these values.
 */
import { ACCESS_TOKEN_TTL_RANGE } from '@xaa/admin-contracts/resource-server';
import type { Topology } from '@xaa/topology';
import type { ToolModule } from './mcp/tool.ts';

export interface McpServerOptions {
  /** The seeded world; this app uses its servers, clients, users and idp parts. */
  topology: Topology;
  /** Where resource.db lives. */
  dataDir: string;
  /** Listen address. Default 127.0.0.1 (loopback only). */
  host?: string;
  /**
   * Whether outbound fetches of URLs a client names (its `jwks_uri`, its Client ID Metadata
   * Document) may reach loopback and private addresses. Default: when `host` is such an address (the
   * playground itself listens there). Link-local and cloud-metadata addresses are never reached.
   */
  outboundPrivate?: boolean;
  /** Names of the servers to run (default: every server of the topology). */
  servers?: string[];
  /** No console output (tests, benchmarks). */
  quiet?: boolean;
  /** Keep only signature-stripped tokens in the live event view (docs/decisions.md §4 redact mode). */
  redact?: boolean;
  /** Extra tool modules by server name (a new sample server = a topology entry + a tools module). */
  toolModules?: Record<string, ToolModule>;
  /**
   * Extra IdPs every ID-JAG server trusts from the first start on (scorecard or test issuers), added
   * next to the topology's IdP. An admin can change them later like any other trusted IdP.
   */
  extraTrustedIssuers?: Array<{ issuer: string; jwks_uri: string; algorithms?: string[] }>;
  /** Clock in milliseconds (injected for tests). */
  now?: () => number;
}

/** Per-AS settings an admin may change at run time (admin API `/admin/settings`). */
export interface AsSettings {
  /**
   * Accept the same ID-JAG again until it expires (draft-04 §4.4.3 interop, Okta style). Default off:
   * EMA §7.4.2 requires single use.
   */
  allow_representation: boolean;
  /** Create a local user on the first ID-JAG for an unknown subject (draft-04 §3.1 JIT provisioning). */
  jit_provisioning: boolean;
  /** Access-token lifetime in seconds (docs/decisions.md §4: 300). */
  access_token_ttl: number;
  /** Hide which ID-JAG check failed from the caller (the audit still names it). */
  generic_errors: boolean;
  /**
   * Accept only DPoP-bound access tokens (RFC 9728 §2 `dpop_bound_access_tokens_required`): the MCP
   * server refuses Bearer, and the AS refuses a jwt-bearer request without a DPoP proof
   * (draft-04 §9.8.1.2.4: `invalid_grant`).
   */
  dpop_bound_access_tokens_required: boolean;
  /**
   * Require a server-provided nonce in DPoP proofs, at the token endpoint (RFC 9449 §8: 400
   * `use_dpop_nonce`) and at the MCP endpoint (§9: 401 `DPoP error="use_dpop_nonce"`); every answer
   * carries a fresh `DPoP-Nonce`. Off by default; recommended for servers that keep no proof-`jti` cache.
   */
  use_dpop_nonce: boolean;
}

export const defaults = {
  settings: {
    allow_representation: false,
    jit_provisioning: true,
    access_token_ttl: 300,
    generic_errors: false,
    dpop_bound_access_tokens_required: false,
    use_dpop_nonce: false,
  } satisfies AsSettings,
  /** Bounds an admin may set for the access-token lifetime (s). */
  accessTokenTtlRange: ACCESS_TOKEN_TTL_RANGE,
  /** Accepted clock skew on ID-JAG exp/iat/nbf (s): RFC 7519 §4.1.4 "small leeway". */
  clockSkew: 30,
  /** Algorithms accepted on ID-JAGs when a trusted issuer names none (EMA §7.4.1 allow-list). */
  idJagAlgorithms: ['ES256', 'RS256', 'PS256', 'EdDSA', 'ES384'],
  /** JWKS cache of a trusted issuer: keys are refetched on an unknown kid at most this often (ms). */
  jwksCooldownMs: 2_000,
  /** JWKS cache lifetime (ms) and fetch timeout (ms). */
  jwksCacheMaxAgeMs: 10 * 60_000,
  jwksTimeoutMs: 3_000,
  /** Classic flow: refresh-token lifetime (s), authorization-code lifetime (s), login/consent interaction (s). */
  refreshTokenTtl: 14 * 24 * 3600,
  authorizationCodeTtl: 60,
  interactionTtl: 600,
  /** Client ID Metadata Documents: fetch limits (SSRF care, MCP-AUTHZ client registration). */
  cimd: { maxBytes: 5 * 1024, timeoutMs: 3_000, cacheMs: 5 * 60_000 },
  /** Events kept in memory per server for the live view. */
  eventCapacity: 2000,
  /** Largest MCP request body (bytes). */
  maxMcpBodyBytes: 1024 * 1024,
} as const;

/**
 * The IdP's configuration: one typed, documented defaults object. `main.ts` is the only
 * place that reads the environment; everything else receives these values.
 */
import { ID_JAG_MAX_TTL } from '@xaa/admin-contracts/idp';
import type { SigningAlgorithm } from '@xaa/protocol';
import type { Topology } from '@xaa/topology';

export interface IdpOptions {
  /** The seeded world; the IdP uses its idp, users, groups, clients, servers, connections, console and ops parts. */
  topology: Topology;
  /** Where idp.db lives. */
  dataDir: string;
  /** Listen address. Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Listen port. Default: the topology's IdP port. 0 picks a free port (then the issuer uses it). */
  port?: number;
  /** Issuer identifier, no trailing slash (docs/decisions.md §4). Default: the topology's when listening on its port, else `http://<topology host>:<actual port>`. */
  issuer?: string;
  /** Algorithm of the current signing key. Default ES256 (docs/decisions.md §4); RS256 selectable. */
  signingAlg?: SigningAlgorithm;
  /** No console output (tests, benchmarks). */
  quiet?: boolean;
  /** Keep only signature-stripped tokens in the live event view (docs/decisions.md §4 redact mode). */
  redact?: boolean;
  /** Clock in milliseconds (injected for tests). */
  now?: () => number;
  /**
   * Make (or load) the SAML signing key before answering requests, so the first SAML sign-in does not
   * wait for an RSA key. Default false (tests start many IdPs); `xaa start` turns it on.
   */
  samlWarmUp?: boolean;
}

export const defaults = {
  /** ID token lifetime (s). Also bounds how long a retired signing key must stay published. */
  idTokenTtl: 3600,
  /** Opaque access token (userinfo) and admin-API JWT access token lifetime (s). */
  accessTokenTtl: 600,
  /** IdP refresh token lifetime (s), issued with `offline_access`. */
  refreshTokenTtl: 14 * 24 * 3600,
  /** SSO session lifetime (s). */
  sessionTtl: 14 * 24 * 3600,
  /** Default and maximum ID-JAG lifetime (s) (docs/decisions.md §4: 300). */
  idJagTtl: 300,
  idJagMaxTtl: ID_JAG_MAX_TTL,
  /** Accepted clock skew on subject tokens (s). */
  clockSkew: 30,
  /** Largest accepted value of any token-endpoint parameter (characters). */
  maxParamLength: 16_384,
  /** Audit rows kept in idp.db (oldest pruned every minute). */
  auditMaxRows: 200_000,
  /** Events kept in memory for the live view. */
  eventCapacity: 2000,
} as const;

/** A retired key stays published for the longest lifetime of any JWT it signed, plus skew. */
export const KEY_OVERLAP_SECONDS = Math.max(defaults.idTokenTtl, defaults.accessTokenTtl, defaults.idJagMaxTtl) + defaults.clockSkew;

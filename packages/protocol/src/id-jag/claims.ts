/** ID-JAG claims (draft-04 §3.1). Wire names stay verbatim. */
import type { JWTPayload } from 'jose';

export interface IdJagClaims extends JWTPayload {
  /** IdP issuer identifier (RFC 8414). REQUIRED. */
  iss: string;
  /** The user's id as the IdP presents it to the RAS (pairwise-correct). REQUIRED. */
  sub: string;
  /** The RAS issuer identifier; a string, or an array of exactly one. REQUIRED. */
  aud: string | string[];
  /** The client's identifier *at the RAS* (draft-04 §5 mapping). REQUIRED. */
  client_id: string;
  jti: string;
  iat: number;
  exp: number;
  /** RFC 8707 resource identifier of the MCP server (EMA §4.3). */
  resource?: string | string[];
  /** Space-delimited scopes of the resource (RFC 6749 §3.3). */
  scope?: string;
  auth_time?: number;
  acr?: string;
  amr?: string[];
  email?: string;
  /** Whether the IdP verified `email` (OIDC Core §5.1): an AS links accounts by email only when true. */
  email_verified?: boolean;
  tenant?: string;
  aud_sub?: string;
  /** RFC 7800 confirmation: `{ jkt }` when the IdP bound the grant to a DPoP key (draft-04 §9.8.1.1). */
  cnf?: { jkt: string };
}

export interface BuildIdJagInput {
  issuer: string;
  subject: string;
  audience: string;
  clientId: string;
  resource?: string;
  scopes?: readonly string[];
  ttlSeconds: number;
  now: number;
  jti?: string;
  authTime?: number;
  email?: string;
  emailVerified?: boolean;
  extra?: Record<string, unknown>;
}

/** Build the claim set the IdP mints (draft-04 §3.1; EMA §7.4.2 short-lived). */
export function buildIdJagClaims(input: BuildIdJagInput): IdJagClaims {
  const iat = Math.floor(input.now);
  const claims: IdJagClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience,
    client_id: input.clientId,
    jti: input.jti ?? crypto.randomUUID(),
    iat,
    exp: iat + input.ttlSeconds,
  };
  if (input.resource !== undefined) claims.resource = input.resource;
  if (input.scopes && input.scopes.length > 0) claims.scope = input.scopes.join(' ');
  if (input.authTime !== undefined) claims.auth_time = Math.floor(input.authTime);
  if (input.email !== undefined) claims.email = input.email;
  if (input.email !== undefined && input.emailVerified !== undefined) claims.email_verified = input.emailVerified;
  // `claims` is this call's own object: the extra claims go onto it (a spread into a copy takes a slow path on Node 20).
  return input.extra ? Object.assign(claims, input.extra) : claims;
}

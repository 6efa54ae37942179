/**
 * Wire constants for Cross-App Access. Every URN and media type the playground puts on the wire is
 * defined here once (draft-04 §3, RFC 8693 §3).
 */

/** RFC 8693 §2.1 token exchange grant, used by the client at the IdP (draft-04 §4.3). */
export const GRANT_TYPE_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
/** RFC 7523 §2.1 JWT bearer grant, used by the client at the resource AS (draft-04 §4.4). */
export const GRANT_TYPE_JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const GRANT_TYPE_CLIENT_CREDENTIALS = 'client_credentials';
export const GRANT_TYPE_AUTHORIZATION_CODE = 'authorization_code';
export const GRANT_TYPE_REFRESH_TOKEN = 'refresh_token';

/** draft-04 §4.3.1 `requested_token_type` / §4.3.4 `issued_token_type`. */
export const TOKEN_TYPE_ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';
export const TOKEN_TYPE_ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
export const TOKEN_TYPE_REFRESH_TOKEN = 'urn:ietf:params:oauth:token-type:refresh_token';
export const TOKEN_TYPE_SAML2 = 'urn:ietf:params:oauth:token-type:saml2';
export const TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/** draft-04 §3.1: the ID-JAG JOSE `typ` (explicit typing, RFC 8725 §3.11). */
export const TYP_ID_JAG = 'oauth-id-jag+jwt';
/** RFC 9068 §2.1: JWT access token `typ`. */
export const TYP_ACCESS_TOKEN = 'at+jwt';

/** draft-04 §7.2 / EMA §6: grant profile advertised in RAS metadata. */
export const GRANT_PROFILE_ID_JAG = 'urn:ietf:params:oauth:grant-profile:id-jag';

/** RFC 7523 §2.2 client assertion type (private_key_jwt). */
export const CLIENT_ASSERTION_TYPE_JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** The MCP extension identifier (EMA); its settings object is `{}`. */
export const EMA_EXTENSION_ID = 'io.modelcontextprotocol/enterprise-managed-authorization';

/** RFC 8693 §2.2.1: `token_type` of an exchange response whose token is not an access token. */
export const TOKEN_TYPE_N_A = 'N_A';

/** Asymmetric JWS algorithms the playground signs with and accepts by default (EMA §7.4.1). */
export const DEFAULT_ID_JAG_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA', 'ES384'] as const;
export type SigningAlgorithm = 'ES256' | 'RS256';

/** docs/decisions.md §4: ID-JAG and access-token lifetimes (seconds). */
export const DEFAULT_ID_JAG_TTL = 300;
export const DEFAULT_ACCESS_TOKEN_TTL = 300;
/** Accepted clock skew when checking exp/iat/nbf (RFC 7519 §4.1.4 "small leeway"). */
export const DEFAULT_CLOCK_SKEW = 30;
/** An ID-JAG issued longer ago than this is refused even if `exp` says otherwise. */
export const DEFAULT_ID_JAG_MAX_AGE = 3600;

/** The scope an admin-API access token must carry (docs/decisions.md §2). */
export const ADMIN_SCOPE = 'xaa:admin';

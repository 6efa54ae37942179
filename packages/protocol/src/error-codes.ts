/**
 * Stable internal error codes: what an `OAuthError` carries beside its wire `error` (RFC 6749 §5.2),
 * so that tests, the audit log and the console switch on a code, never on message text. The wire
 * never shows them. One union per area; a new failure gets its code here first.
 */
import type { OAuthErrorCode } from './errors.ts';

/** Request shape at a token endpoint (RFC 6749 §3.2, §5.2; RFC 8693 §2.1; RFC 7521 §4.1). */
export type RequestErrorCode =
  | 'ERR_PARAM_MISSING'
  | 'ERR_PARAM_DUPLICATED'
  | 'ERR_PARAM_TOO_LONG'
  | 'ERR_REQUESTED_TYPE_UNSUPPORTED'
  | 'ERR_RAR_UNSUPPORTED'
  | 'ERR_AUDIENCE_MISSING'
  | 'ERR_ASSERTION_MISSING'
  | 'ERR_REQUEST_RESOURCE_MULTIPLE'
  | 'ERR_REQUEST_RESOURCE_NOT_SERVED'
  | 'ERR_SCOPE_EMPTY'
  | 'ERR_SCOPE_ESCALATION'
  | 'ERR_HOST_INVALID';

/** Client authentication and authorization (RFC 6749 §2.3, §5.2; draft-04 §9.1). */
export type ClientErrorCode = 'ERR_CLIENT_NO_TOKEN_EXCHANGE' | 'ERR_CLIENT_NOT_PUBLIC' | 'ERR_PUBLIC_CLIENT';

/** The subject token at token exchange (draft-04 §4.3.3). */
export type SubjectErrorCode =
  | 'ERR_SUBJECT_TYPE_UNSUPPORTED'
  | 'ERR_SUBJECT_MALFORMED'
  | 'ERR_SUBJECT_SIGNATURE'
  | 'ERR_SUBJECT_ISS'
  | 'ERR_SUBJECT_AUD_MISMATCH'
  | 'ERR_SUBJECT_EXPIRED'
  | 'ERR_SUBJECT_CLAIM'
  | 'ERR_SUBJECT_NOT_ID_TOKEN'
  | 'ERR_SUBJECT_REVOKED'
  | 'ERR_SUBJECT_USER_UNKNOWN'
  | 'ERR_SUBJECT_USER_DISABLED'
  | 'ERR_SUBJECT_RT_NOT_FOUND'
  | 'ERR_SUBJECT_RT_EXPIRED'
  | 'ERR_SUBJECT_RT_CONSUMED'
  | 'ERR_SUBJECT_RT_CLIENT_MISMATCH'
  | 'ERR_SUBJECT_RT_GRANT_GONE'
  /** An IdP refresh token asked for from a SAML assertion (draft-04 §4.5): no target, scopes it may carry. */
  | 'ERR_RT_TARGET'
  | 'ERR_RT_SCOPE'
  /** At the AS: the ID-JAG's `iss`+`sub` maps to no local user (identity chaining §2.4.2). */
  | 'ERR_SUBJECT_UNKNOWN';

/**
 * The actor token at token exchange (RFC 8693 §2.1): the type, and each subject-token failure of
 * the same ID token check, as `ERR_ACTOR_*`.
 */
export type ActorErrorCode = 'ERR_ACTOR_TOKEN_TYPE' | 'ERR_ACTOR_TYPE_UNSUPPORTED' | `ERR_ACTOR_${string}`;

/** The target of a token exchange (EMA §7.6.1, draft-04 §3.1, RFC 8707 §2). */
export type TargetErrorCode = 'ERR_TARGET_MULTIPLE' | 'ERR_TARGET_UNKNOWN_AUDIENCE' | 'ERR_TARGET_NOT_PAIRED';

/** A connection-policy denial, named after its rule (`ERR_POLICY_NO_CONNECTION`, `ERR_POLICY_CONNECTION_AUDIENCE` …). */
export type PolicyErrorCode = `ERR_POLICY_${string}`;

/** The ordered ID-JAG checks at the AS (draft-04 §4.4.1, EMA §7.4). */
export type IdJagErrorCode =
  | 'ERR_ID_JAG_MALFORMED'
  | 'ERR_ID_JAG_TYP'
  | 'ERR_ID_JAG_ALG'
  | 'ERR_ID_JAG_ISS_UNTRUSTED'
  | 'ERR_ID_JAG_KID_UNKNOWN'
  | 'ERR_ID_JAG_SIGNATURE'
  | 'ERR_ID_JAG_JWKS_UNAVAILABLE'
  | 'ERR_ID_JAG_INVALID'
  | 'ERR_ID_JAG_EXPIRED'
  | 'ERR_ID_JAG_NBF'
  | 'ERR_ID_JAG_IAT_FUTURE'
  | 'ERR_ID_JAG_IAT_TOO_OLD'
  | 'ERR_ID_JAG_AUD_MISMATCH'
  | 'ERR_ID_JAG_AUD_MULTIPLE'
  | 'ERR_ID_JAG_CLAIM_MISSING'
  | 'ERR_ID_JAG_CLAIM_INVALID'
  | 'ERR_ID_JAG_CLIENT_MISMATCH'
  | 'ERR_ID_JAG_REPLAY'
  | 'ERR_ID_JAG_RESOURCE_INVALID'
  | 'ERR_ID_JAG_RESOURCE_MISSING'
  | 'ERR_ID_JAG_RESOURCE_FOREIGN'
  | 'ERR_ID_JAG_SCOPE_INVALID'
  | 'ERR_ID_JAG_SCOPE_UNKNOWN'
  | 'ERR_ID_JAG_CNF_INVALID'
  | 'ERR_ID_JAG_CNF_MISMATCH'
  | 'ERR_ID_JAG_DPOP_REQUIRED';

/** DPoP proofs and bound tokens (RFC 9449 §4.3, §7.1, §11.1; draft-04 §9.8). */
export type DpopErrorCode =
  | 'ERR_DPOP_MULTIPLE'
  | 'ERR_DPOP_INVALID'
  | 'ERR_DPOP_PRIVATE_KEY'
  | 'ERR_DPOP_HTM'
  | 'ERR_DPOP_HTU'
  | 'ERR_DPOP_JTI'
  | 'ERR_DPOP_ATH'
  | 'ERR_DPOP_ATH_MISSING'
  | 'ERR_DPOP_REPLAY'
  | 'ERR_DPOP_REQUIRED'
  | 'ERR_DPOP_MISSING'
  | 'ERR_DPOP_UNBOUND'
  | 'ERR_DPOP_BOUND_AS_BEARER'
  | 'ERR_DPOP_KEY_MISMATCH'
  | 'ERR_DPOP_NONCE_MISSING'
  | 'ERR_DPOP_NONCE_STALE';

/** SAML 2.0 Web SSO at the IdP (SAML Bindings §3.4–3.5, SAML Profiles §4.1). */
export type SamlErrorCode =
  | 'ERR_SAML_ACS'
  | 'ERR_SAML_DESTINATION'
  | 'ERR_SAML_ENTITY_TAKEN'
  | 'ERR_SAML_ISSUER_MISMATCH'
  | 'ERR_SAML_ISSUER_MISSING'
  | 'ERR_SAML_NOT_AUTHN_REQUEST'
  | 'ERR_SAML_POST_TYPE'
  | 'ERR_SAML_RELAYSTATE'
  | 'ERR_SAML_REQUEST_ENCODING'
  | 'ERR_SAML_REQUEST_ID'
  | 'ERR_SAML_REQUEST_INVALID'
  | 'ERR_SAML_REQUEST_MISSING'
  | 'ERR_SAML_REQUEST_SIGNATURE'
  | 'ERR_SAML_REQUEST_TOO_LARGE'
  | 'ERR_SAML_REQUEST_XML'
  | 'ERR_SAML_RESUME_CODE'
  | 'ERR_SAML_RESUME_STATE'
  | 'ERR_SAML_SIGN_IN'
  | 'ERR_SAML_UNKNOWN_SP'
  | 'ERR_SAML_USER'
  | SamlSubjectErrorCode;

/** A SAML 2.0 assertion as subject token at token exchange (draft-04 §4.3.3, SAML Core, SAML Profiles §4.1.4.2). */
export type SamlSubjectErrorCode =
  | 'ERR_SAML_ASSERTION_COUNT'
  | 'ERR_SAML_AUDIENCE'
  | 'ERR_SAML_AUTHN_STATEMENT'
  | 'ERR_SAML_BEARER'
  | 'ERR_SAML_CLIENT_NOT_SAML'
  | 'ERR_SAML_COMMENT'
  | 'ERR_SAML_CONDITIONS'
  | 'ERR_SAML_DTD'
  | 'ERR_SAML_ENCODING'
  | 'ERR_SAML_ENCRYPTED'
  | 'ERR_SAML_EXPIRED'
  | 'ERR_SAML_ISSUER'
  | 'ERR_SAML_ISSUE_INSTANT'
  | 'ERR_SAML_MALFORMED'
  | 'ERR_SAML_NAMEID_FORMAT'
  | 'ERR_SAML_NAMEID_QUALIFIER'
  | 'ERR_SAML_NOT_ASSERTION'
  | 'ERR_SAML_NOT_YET_VALID'
  | 'ERR_SAML_REPLAY'
  | 'ERR_SAML_RESPONSE_DESTINATION'
  | 'ERR_SAML_RESPONSE_STATUS'
  | 'ERR_SAML_SIGNATURE'
  | 'ERR_SAML_SIGNATURE_ALG'
  | 'ERR_SAML_SIGNATURE_REFERENCE'
  | 'ERR_SAML_SIGNATURE_SHAPE'
  | 'ERR_SAML_SUBJECT'
  | 'ERR_SAML_TOO_LARGE'
  | 'ERR_SAML_UNSIGNED'
  | 'ERR_SAML_VERSION';

/** Admin-enabled fault injection at the IdP (apps/idp/src/faults). */
export type FaultErrorCode = 'ERR_FAULT_ACCESS_DENIED' | 'ERR_FAULT_UNAVAILABLE';

/** The default code of an error raised without one: `ERR_` + its wire code. */
export type DefaultErrorCode = `ERR_${Uppercase<OAuthErrorCode>}`;

export type ErrorCode =
  | RequestErrorCode
  | ClientErrorCode
  | SubjectErrorCode
  | ActorErrorCode
  | TargetErrorCode
  | PolicyErrorCode
  | IdJagErrorCode
  | DpopErrorCode
  | SamlErrorCode
  | FaultErrorCode
  | DefaultErrorCode;

/**
 * Issuance step `verify-subject-token`: validate the subject token (draft-04 §4.3.3).
 *
 * - ID token: signed by this IdP (its own published keys), `iss` = this issuer, unexpired, and its
 *   `aud` MUST equal the authenticated client — a client cannot exchange an ID token minted for
 *   another client.
 * - SAML 2.0 Assertion (draft-04 §4.3.3, §4.5): see ./verify-saml-assertion.ts.
 * - IdP refresh token (draft-04 §4.3, since -02): found through oidc-provider's RefreshToken model,
 *   unexpired, unconsumed, bound to this client, its grant still standing.
 *
 * One verifier per subject_token_type (`SUBJECT_VERIFIERS`). Then central revocation: the user must exist, be enabled, and the token must not predate the
 * user's `not_before` (set when an admin disables the user or revokes their sessions).
 * Every failure is `invalid_grant` (RFC 8693 §2.2.2) with a stable internal code.
 * What it does not do: authenticate the client (oidc-provider did) or look at policy.
 */

import { need } from '@xaa/node-kit/oidc-host';
import {
  InvalidGrant,
  InvalidRequest,
  TOKEN_TYPE_ID_TOKEN,
  TOKEN_TYPE_REFRESH_TOKEN,
  TOKEN_TYPE_SAML2,
  TYP_ACCESS_TOKEN,
  TYP_ID_JAG,
  typIs,
} from '@xaa/protocol';
import { type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import { defaults } from '../config.ts';
import type { IdpContext } from '../context.ts';
import type { UserRecord } from '../db/directory.ts';
import type { ExchangeState } from './exchange-state.ts';
import { verifySamlSubject } from './saml-subject.ts';
import type { VerifiedSamlAssertion } from './verify-saml-assertion.ts';

export interface VerifiedSubject {
  kind: 'id_token' | 'refresh_token' | 'saml2' | (string & {});
  user: UserRecord;
  /** When the user authenticated (OIDC auth_time), carried into the ID-JAG. */
  authTime: number | undefined;
  /** Verified claims of an ID token (for the event view). */
  claims?: JWTPayload;
  /** The verified SAML assertion (for the event view). */
  saml?: VerifiedSamlAssertion;
}

const SPEC = 'draft-04 §4.3.3';

/** What a subject verifier gets: the IdP, its live provider, the token, the authenticated client, the time. */
export interface SubjectInput {
  idp: Pick<IdpContext, 'issuer' | 'keys' | 'directory'> & Partial<Pick<IdpContext, 'db' | 'now'>>;
  provider: Provider;
  token: string;
  clientId: string;
  nowSeconds: number;
}

export type SubjectVerifier = (input: SubjectInput) => Promise<VerifiedSubject>;

/**
 * Subject token types this IdP accepts (RFC 8693 §3), one verifier each: the ID token, the IdP's own
 * refresh token and a SAML 2.0 assertion (draft-04 §4.3.3, §4.5). A new kind is one more entry.
 */
export const SUBJECT_VERIFIERS: Readonly<Record<string, SubjectVerifier>> = {
  [TOKEN_TYPE_ID_TOKEN]: (i) => verifyIdToken(i.idp, i.token, i.clientId, i.nowSeconds),
  [TOKEN_TYPE_REFRESH_TOKEN]: (i) => verifyRefreshToken(i.idp, i.provider, i.token, i.clientId, i.nowSeconds),
  // draft-04 §4.3.3 / §4.5: a SAML 2.0 Assertion of this IdP, addressed to the authenticated client's SP.
  [TOKEN_TYPE_SAML2]: async (i) => {
    const { saml, user } = await verifySamlSubject(i.idp, i.token, i.clientId, i.nowSeconds, (id, iat) => activeUser(i.idp, id, iat));
    return { kind: 'saml2', user, authTime: saml.authnInstant, saml };
  },
};

export async function verifySubjectToken(
  idp: Pick<IdpContext, 'issuer' | 'keys' | 'directory'> & Partial<Pick<IdpContext, 'db' | 'now'>>,
  provider: Provider,
  input: { subject_token: string; subject_token_type: string; clientId: string },
  nowSeconds: number,
  verifiers: Readonly<Record<string, SubjectVerifier>> = SUBJECT_VERIFIERS,
): Promise<VerifiedSubject> {
  const verify = Object.hasOwn(verifiers, input.subject_token_type) ? verifiers[input.subject_token_type] : undefined;
  if (verify) return verify({ idp, provider, token: input.subject_token, clientId: input.clientId, nowSeconds });
  throw new InvalidRequest('Unsupported subject_token_type; use the id_token, saml2 or refresh_token token type.', {
    code: 'ERR_SUBJECT_TYPE_UNSUPPORTED',
    specRef: 'RFC 8693 §2.2.2',
  });
}

/** The `verify-subject-token` step. */
export async function verifySubject(state: ExchangeState): Promise<void> {
  const request = need(state.request, 'request');
  const verified = await verifySubjectToken(
    state.idp,
    state.idp.provider(),
    { subject_token: request.subjectToken, subject_token_type: request.subjectTokenType, clientId: state.client.id },
    state.nowSeconds,
  );
  state.subjectVerified = verified;
  state.subject.user = verified.user.username;
}

export async function verifyIdToken(
  idp: Pick<IdpContext, 'issuer' | 'keys' | 'directory'>,
  token: string,
  clientId: string,
  now: number,
): Promise<VerifiedSubject> {
  let payload: JWTPayload;
  let typ: string | undefined;
  try {
    const verify = () =>
      jwtVerify(token, idp.keys.verifier(), {
        issuer: idp.issuer,
        algorithms: ['ES256', 'RS256'],
        requiredClaims: ['sub', 'aud', 'exp', 'iat'],
        clockTolerance: defaults.clockSkew,
        currentDate: new Date(now * 1000),
      });
    // Signature and claims once per token until its exp (keys/key-store.ts); the checks below run every time.
    const result = await idp.keys.verifiedIdTokens.verify(token, now, verify, (r) => r.payload.exp);
    payload = result.payload;
    typ = result.protectedHeader.typ;
  } catch (e) {
    throw mapJoseError(e);
  }
  // Explicit typing (RFC 8725 §3.11): an ID-JAG or a JWT access token is not an ID token.
  // typ is a media type (RFC 7515 §4.1.9): `application/oauth-id-jag+jwt` is an ID-JAG too.
  if (typIs(typ, TYP_ID_JAG) || typIs(typ, TYP_ACCESS_TOKEN) || (typ !== undefined && !typIs(typ, 'JWT')))
    throw new InvalidGrant('The subject token is not an ID token.', { code: 'ERR_SUBJECT_NOT_ID_TOKEN', specRef: SPEC });
  // draft-04 §4.3.3: the ID token's audience MUST be the authenticated client.
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (aud.length !== 1 || aud[0] !== clientId || (payload.azp !== undefined && payload.azp !== clientId))
    throw new InvalidGrant('The subject token was issued to another client; an ID token can only be exchanged by the client it was issued to.', {
      code: 'ERR_SUBJECT_AUD_MISMATCH',
      specRef: SPEC,
      detail: { aud: payload.aud, client_id: clientId },
    });
  const user = activeUser(idp, String(payload.sub), Number(payload.iat));
  return { kind: 'id_token', user, authTime: typeof payload.auth_time === 'number' ? payload.auth_time : undefined, claims: payload };
}

async function verifyRefreshToken(
  idp: Pick<IdpContext, 'directory'>,
  provider: Provider,
  token: string,
  clientId: string,
  now: number,
): Promise<VerifiedSubject> {
  const refreshToken = await provider.RefreshToken.find(token, { ignoreExpiration: true });
  if (!refreshToken) throw new InvalidGrant('The refresh token is unknown or was revoked.', { code: 'ERR_SUBJECT_RT_NOT_FOUND', specRef: SPEC });
  if (refreshToken.clientId !== clientId)
    throw new InvalidGrant('The refresh token was issued to another client.', { code: 'ERR_SUBJECT_RT_CLIENT_MISMATCH', specRef: SPEC });
  if (refreshToken.isExpired || (refreshToken.exp !== undefined && refreshToken.exp <= now))
    throw new InvalidGrant('The refresh token has expired.', { code: 'ERR_SUBJECT_RT_EXPIRED', specRef: SPEC });
  if (refreshToken.consumed) throw new InvalidGrant('The refresh token was already used (rotated).', { code: 'ERR_SUBJECT_RT_CONSUMED', specRef: SPEC });
  const grant = refreshToken.grantId ? await provider.Grant.find(refreshToken.grantId) : undefined;
  if (!grant || grant.clientId !== clientId || grant.accountId !== refreshToken.accountId)
    throw new InvalidGrant('The grant behind the refresh token no longer exists.', { code: 'ERR_SUBJECT_RT_GRANT_GONE', specRef: SPEC });
  const user = activeUser(idp, String(refreshToken.accountId), Number(refreshToken.iat));
  return { kind: 'refresh_token', user, authTime: typeof refreshToken.authTime === 'number' ? refreshToken.authTime : undefined };
}

/** Central revocation: the user must still exist and be enabled, and the token must not predate `not_before`. */
function activeUser(idp: Pick<IdpContext, 'directory'>, sub: string, iat: number): UserRecord {
  const user = idp.directory.getUser(sub);
  if (!user) throw new InvalidGrant('The subject token names an unknown user.', { code: 'ERR_SUBJECT_USER_UNKNOWN', specRef: SPEC });
  if (user.disabled) throw new InvalidGrant("The subject token's user account is disabled.", { code: 'ERR_SUBJECT_USER_DISABLED', specRef: SPEC });
  if (iat < user.not_before)
    throw new InvalidGrant("The subject token was revoked (the user's sessions were ended after it was issued).", {
      code: 'ERR_SUBJECT_REVOKED',
      specRef: SPEC,
    });
  return user;
}

function mapJoseError(e: unknown): InvalidGrant {
  if (e instanceof joseErrors.JWTExpired) return new InvalidGrant('The subject token has expired.', { code: 'ERR_SUBJECT_EXPIRED', specRef: SPEC });
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return new InvalidGrant('The subject token was not issued by this IdP.', { code: 'ERR_SUBJECT_ISS', specRef: SPEC });
    return new InvalidGrant(`The subject token's ${e.claim} claim is invalid or missing.`, { code: 'ERR_SUBJECT_CLAIM', specRef: SPEC });
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWSSignatureVerificationFailed)
    return new InvalidGrant("The subject token's signature does not verify with this IdP's keys.", { code: 'ERR_SUBJECT_SIGNATURE', specRef: SPEC });
  if (e instanceof joseErrors.JOSEError)
    return new InvalidGrant('The subject token is not a valid signed JWT.', { code: 'ERR_SUBJECT_MALFORMED', specRef: SPEC });
  throw e;
}

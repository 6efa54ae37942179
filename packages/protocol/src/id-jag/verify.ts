/**
 * The ordered ID-JAG verifier used by a resource authorization server for the jwt-bearer grant
 * (draft-04 §4.4.1; RFC 7523 §3; EMA §5.1, §7.4, §7.6.2).
 *
 * It returns data, not exceptions: every check appears in `checks` in the order it ran, so the AS can
 * emit one `bearer.check` event per check and the console can show exactly which one failed. Claim
 * checks are jose's (`jwtVerify` with typ, issuer, required claims, clock tolerance and max age); this
 * module only adds what jose does not do: issuer binding before key selection, single-valued `aud`,
 * the `client_id` binding, resource and scope rules, and single-use `jti`.
 *
 * It does not authenticate the client (the caller passes the already-authenticated client id) and
 * does not resolve the subject to a local user.
 */
import { type JWTVerifyGetKey, type JWTVerifyOptions, type JWTVerifyResult, errors as joseErrors, jwtVerify, type ProtectedHeaderParameters } from 'jose';
import { DEFAULT_CLOCK_SKEW, DEFAULT_ID_JAG_ALGORITHMS, DEFAULT_ID_JAG_MAX_AGE, TYP_ID_JAG } from '../constants.ts';
import type { IdJagErrorCode } from '../error-codes.ts';
import { InvalidGrant, InvalidScope, InvalidTarget, type OAuthError } from '../errors.ts';
import { decodeUnverified, typIs } from '../jwt.ts';
import { parseScope, scopesMissing } from '../scope.ts';
import type { IdJagClaims } from './claims.ts';

export const ID_JAG_CHECKS = [
  { check: 'format', title: 'Assertion is a compact JWS', specRef: 'RFC 7521 §4.1, RFC 7515 §7.1' },
  { check: 'typ', title: `JOSE header typ is ${TYP_ID_JAG}`, specRef: 'draft-04 §4.4.1, RFC 8725 §3.11' },
  { check: 'alg', title: 'Signing algorithm is on the allow-list', specRef: 'EMA §7.4.1, RFC 8725 §3.1' },
  { check: 'iss', title: 'Issuer is a trusted IdP', specRef: 'EMA §7.4.1, RFC 7523 §3 (1)' },
  { check: 'signature', title: "Signature verifies with the issuer's JWKS", specRef: 'RFC 7523 §3 (9), EMA §7.4.1' },
  { check: 'required_claims', title: 'Required claims are present', specRef: 'draft-04 §3.1' },
  { check: 'aud', title: "Audience is this AS's issuer, single-valued", specRef: 'draft-04 §4.4.1, RFC 7523 §3 (3)' },
  { check: 'nbf', title: 'Not used before nbf', specRef: 'RFC 7523 §3 (5)' },
  { check: 'exp', title: 'Not expired', specRef: 'RFC 7523 §3 (4), EMA §7.4.2' },
  { check: 'iat', title: 'Issued in the past, not too long ago', specRef: 'RFC 7523 §3 (6), EMA §7.4.1' },
  { check: 'client_id', title: 'client_id is the authenticated client', specRef: 'draft-04 §4.4.1, EMA §5' },
  { check: 'resource', title: 'Resource is served by this AS', specRef: 'EMA §7.6.2, RFC 8707 §2' },
  { check: 'scope', title: 'Scopes are registered and not escalated', specRef: 'draft-04 §4.4.1, EMA §7.2.1, §7.6.2' },
  { check: 'cnf', title: 'A key-bound grant comes with a proof of that key', specRef: 'draft-04 §9.8.1.2, RFC 9449 §6' },
  { check: 'jti', title: 'jti has not been used before', specRef: 'EMA §7.4.2, RFC 7523 §3 (7)' },
] as const;

export type IdJagCheckId = (typeof ID_JAG_CHECKS)[number]['check'];

export interface IdJagCheckResult {
  check: IdJagCheckId;
  title: string;
  specRef: string;
  outcome: 'ok' | 'failed' | 'skipped';
  detail?: string;
}

export interface TrustedIssuer {
  issuer: string;
  /** Keys of this issuer only (jose `createRemoteJWKSet` refetches on an unknown kid). */
  jwks: JWTVerifyGetKey;
  /**
   * jose's `jwtVerify`, or a drop-in with its semantics and errors that checks signatures another way
   * (Node's crypto, node-kit `jwtVerifyNode`). Default: jose's.
   */
  jwtVerify?: (token: string, jwks: JWTVerifyGetKey, options: JWTVerifyOptions & { algorithms: string[] }) => Promise<JWTVerifyResult>;
  /** Per-issuer allow-list; defaults to the verifier's. */
  algorithms?: readonly string[];
}

/** Single-use store: returns false when (iss, jti) was already consumed. Must be atomic. */
export interface ReplayStore {
  consume(entry: { iss: string; jti: string; exp: number }): boolean | Promise<boolean>;
}

export interface VerifyIdJagOptions {
  /** This AS's issuer identifier; compared byte for byte (docs/decisions.md §4). */
  audience: string;
  trustedIssuers: readonly TrustedIssuer[];
  /** The client id the AS authenticated on this request. */
  clientId: string;
  /** Resource identifiers this AS serves (RFC 9728 `resource`). */
  resources: readonly string[];
  /** Scopes registered for those resources; when set, unknown ID-JAG scopes are refused. */
  supportedScopes?: readonly string[];
  /** The `resource` request parameter, if the client sent one. */
  requestedResource?: string;
  /** The `scope` request parameter, parsed; undefined when omitted (docs/decisions.md §4: grant the ID-JAG's). */
  requestedScopes?: readonly string[];
  algorithms?: readonly string[];
  clockSkew?: number;
  maxAge?: number;
  /** When false, an ID-JAG without `resource` is accepted for an AS that serves exactly one resource. */
  requireResource?: boolean;
  /**
   * The RFC 7638 thumbprint of the key of a valid DPoP proof on this request (`verifyDpopProof`), if
   * the client sent one. An ID-JAG with `cnf.jkt` is refused without a matching proof.
   */
  dpopJkt?: string;
  /** Single-use jti (EMA §7.4.2). Omit to allow re-presentation until exp (draft-04 §4.4.3 interop mode). */
  replay?: ReplayStore;
  /** Current time in seconds since the epoch (injected for tests). */
  now?: number;
}

export type VerifyIdJagResult =
  | {
      ok: true;
      header: ProtectedHeaderParameters;
      claims: IdJagClaims;
      resource: string;
      grantedScopes: string[];
      checks: IdJagCheckResult[];
    }
  | {
      ok: false;
      error: OAuthError;
      failed: IdJagCheckId;
      checks: IdJagCheckResult[];
      /** Unverified header/claims, for the audit trail only. */
      header?: ProtectedHeaderParameters;
      claims?: Record<string, unknown>;
    };

class CheckFailure extends Error {
  constructor(
    readonly check: IdJagCheckId,
    readonly error: OAuthError,
  ) {
    super(error.error_description);
  }
}

const CHECK_META = new Map<IdJagCheckId, (typeof ID_JAG_CHECKS)[number]>(ID_JAG_CHECKS.map((c) => [c.check, c]));
const specOf = (check: IdJagCheckId) => CHECK_META.get(check)?.specRef ?? '';

function fail(
  check: IdJagCheckId,
  code: IdJagErrorCode | 'ERR_REQUEST_RESOURCE_NOT_SERVED' | 'ERR_SCOPE_ESCALATION',
  description: string,
  kind: 'grant' | 'scope' | 'target' = 'grant',
) {
  const options = { code, specRef: specOf(check) };
  const error =
    kind === 'scope'
      ? new InvalidScope(description, options)
      : kind === 'target'
        ? new InvalidTarget(description, options)
        : new InvalidGrant(description, options);
  return new CheckFailure(check, error);
}

export async function verifyIdJag(assertion: string, options: VerifyIdJagOptions): Promise<VerifyIdJagResult> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const skew = options.clockSkew ?? DEFAULT_CLOCK_SKEW;
  const results = new Map<IdJagCheckId, IdJagCheckResult>();
  const pass = (check: IdJagCheckId, detail?: string) => {
    const meta = CHECK_META.get(check);
    results.set(check, { check, title: meta?.title ?? check, specRef: meta?.specRef ?? '', outcome: 'ok', ...(detail ? { detail } : {}) });
  };
  const report = (failure?: CheckFailure): IdJagCheckResult[] =>
    ID_JAG_CHECKS.map(({ check, title, specRef }) => {
      if (failure?.check === check) return { check, title, specRef, outcome: 'failed', detail: failure.error.error_description };
      return results.get(check) ?? { check, title, specRef, outcome: 'skipped' };
    });

  const decoded = decodeUnverified(assertion);
  try {
    // 1. format
    if (!decoded) throw fail('format', 'ERR_ID_JAG_MALFORMED', 'The assertion is not a compact JWS (RFC 7515 §7.1).');
    pass('format');
    const { header } = decoded;
    const claims = decoded.claims as Record<string, unknown>;

    // 2. typ: stops ID tokens and access tokens being replayed as grants. Compared as a media type
    // (RFC 7515 §4.1.9): `application/oauth-id-jag+jwt` is the same type.
    if (!typIs(header.typ, TYP_ID_JAG))
      throw fail('typ', 'ERR_ID_JAG_TYP', `The assertion's JOSE typ is ${JSON.stringify(header.typ ?? null)}; expected "${TYP_ID_JAG}".`);
    pass('typ');

    // 4 before 3: the allow-list may be per issuer, so bind the issuer first (read unverified only to choose keys).
    const iss = claims.iss;
    const trusted = typeof iss === 'string' ? options.trustedIssuers.find((t) => t.issuer === iss) : undefined;
    const algorithms = [...(trusted?.algorithms ?? options.algorithms ?? DEFAULT_ID_JAG_ALGORITHMS)];
    const alg = header.alg;
    if (typeof alg !== 'string' || alg === 'none' || alg.startsWith('HS') || !algorithms.includes(alg))
      throw fail('alg', 'ERR_ID_JAG_ALG', `The signing algorithm ${JSON.stringify(alg ?? null)} is not accepted; allowed: ${algorithms.join(', ')}.`);
    pass('alg', alg);
    if (!trusted)
      throw fail(
        'iss',
        'ERR_ID_JAG_ISS_UNTRUSTED',
        `The issuer ${JSON.stringify(iss ?? null)} is not a trusted identity provider for this authorization server.`,
      );
    pass('iss', trusted.issuer);

    // 5-10: signature and registered claims, by jose.
    let verified: IdJagClaims;
    try {
      const result = await (trusted.jwtVerify ?? jwtVerify)(assertion, trusted.jwks, {
        // typ was checked above as a media type (RFC 7515 §4.1.9).
        algorithms,
        issuer: trusted.issuer,
        audience: options.audience,
        requiredClaims: ['iss', 'sub', 'aud', 'client_id', 'jti', 'iat', 'exp'],
        clockTolerance: skew,
        maxTokenAge: options.maxAge ?? DEFAULT_ID_JAG_MAX_AGE,
        currentDate: new Date(now * 1000),
      });
      verified = result.payload as IdJagClaims;
    } catch (e) {
      throw mapJoseError(e, claims, options.audience);
    }
    pass('signature', header.kid ? `kid ${header.kid}` : undefined);
    pass('required_claims');
    // jose accepts an array containing the audience; draft-04 §4.4.1 requires exactly one value.
    if (Array.isArray(verified.aud) && verified.aud.length !== 1)
      throw fail('aud', 'ERR_ID_JAG_AUD_MULTIPLE', `The aud claim has ${verified.aud.length} values; an ID-JAG must name exactly one audience.`);
    pass('aud', options.audience);
    pass('nbf');
    pass('exp', `expires in ${verified.exp - now}s`);
    pass('iat');
    for (const name of ['sub', 'client_id', 'jti'] as const) {
      if (typeof verified[name] !== 'string' || verified[name] === '')
        throw fail('required_claims', 'ERR_ID_JAG_CLAIM_INVALID', `The ${name} claim must be a non-empty string.`);
    }

    // 11. client binding: a stolen ID-JAG cannot be redeemed by another registered client.
    if (verified.client_id !== options.clientId)
      throw fail(
        'client_id',
        'ERR_ID_JAG_CLIENT_MISMATCH',
        `The ID-JAG was issued for client ${JSON.stringify(verified.client_id)}, but ${JSON.stringify(options.clientId)} presented it.`,
      );
    pass('client_id', options.clientId);

    // 12. resource (EMA §7.6.2): aud and resource are a bound pair.
    const resource = checkResource(verified, options);
    pass('resource', resource);

    // 13. scope: issued = requested ∩ ID-JAG (EMA §7.2.1).
    const granted = checkScope(verified, options);
    pass('scope', granted.join(' ') || '(none)');

    // 13b. sender constraint: an ID-JAG bound to a key (cnf.jkt) is worthless without that key.
    checkConfirmation(verified, options.dpopJkt);
    pass('cnf', verified.cnf ? 'bound to the DPoP key of this request' : 'not key-bound');

    // 14. single use, consumed last so a request refused for another reason does not burn the grant.
    if (options.replay) {
      const fresh = await options.replay.consume({ iss: verified.iss, jti: verified.jti, exp: verified.exp });
      if (!fresh) throw fail('jti', 'ERR_ID_JAG_REPLAY', `The ID-JAG ${verified.jti} was already used; ID-JAGs are single-use.`);
      pass('jti', verified.jti);
    } else {
      pass('jti', 're-presentation allowed until exp');
    }
    return { ok: true, header, claims: verified, resource, grantedScopes: granted, checks: report() };
  } catch (e) {
    if (!(e instanceof CheckFailure)) throw e;
    return {
      ok: false,
      error: e.error,
      failed: e.check,
      checks: report(e),
      ...(decoded ? { header: decoded.header, claims: decoded.claims as Record<string, unknown> } : {}),
    };
  }
}

function mapJoseError(e: unknown, claims: Record<string, unknown>, audience: string): CheckFailure {
  if (e instanceof joseErrors.JWKSNoMatchingKey) return fail('signature', 'ERR_ID_JAG_KID_UNKNOWN', "No key in the issuer's JWKS matches the assertion's kid.");
  if (e instanceof joseErrors.JWSSignatureVerificationFailed)
    return fail('signature', 'ERR_ID_JAG_SIGNATURE', "The signature does not verify with the issuer's keys.");
  if (e instanceof joseErrors.JWKSTimeout || e instanceof joseErrors.JWKSInvalid)
    return fail('signature', 'ERR_ID_JAG_JWKS_UNAVAILABLE', "The issuer's JWKS could not be fetched.");
  if (e instanceof joseErrors.JWTExpired) {
    if (e.claim === 'iat') return fail('iat', 'ERR_ID_JAG_IAT_TOO_OLD', 'The ID-JAG was issued too long ago.');
    return fail('exp', 'ERR_ID_JAG_EXPIRED', `The ID-JAG expired at ${String(claims.exp)}.`);
  }
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.reason === 'missing') return fail('required_claims', 'ERR_ID_JAG_CLAIM_MISSING', `The required ${e.claim} claim is missing.`);
    switch (e.claim) {
      case 'aud':
        return fail('aud', 'ERR_ID_JAG_AUD_MISMATCH', `The aud claim ${JSON.stringify(claims.aud)} is not this authorization server (${audience}).`);
      case 'iss':
        return fail('iss', 'ERR_ID_JAG_ISS_UNTRUSTED', 'The issuer is not trusted.');
      case 'nbf':
        return fail('nbf', 'ERR_ID_JAG_NBF', 'The ID-JAG is not valid yet (nbf).');
      case 'iat':
        return fail('iat', 'ERR_ID_JAG_IAT_FUTURE', 'The ID-JAG was issued in the future (iat).');
      case 'typ':
        return fail('typ', 'ERR_ID_JAG_TYP', 'Unexpected JOSE typ.');
      default:
        return fail('required_claims', 'ERR_ID_JAG_CLAIM_INVALID', `The ${e.claim} claim is invalid.`);
    }
  }
  if (e instanceof joseErrors.JWTInvalid || e instanceof joseErrors.JWSInvalid || e instanceof joseErrors.JOSEAlgNotAllowed)
    return fail('signature', 'ERR_ID_JAG_INVALID', 'The assertion is not a valid signed JWT.');
  if (e instanceof joseErrors.JOSEError) return fail('signature', 'ERR_ID_JAG_INVALID', 'The assertion could not be verified.');
  throw e;
}

function checkResource(claims: IdJagClaims, options: VerifyIdJagOptions): string {
  const values = claims.resource === undefined ? [] : Array.isArray(claims.resource) ? claims.resource : [claims.resource];
  if (values.some((v) => typeof v !== 'string'))
    throw fail('resource', 'ERR_ID_JAG_RESOURCE_INVALID', 'The resource claim must be a string or an array of strings.');
  let resource: string | undefined;
  if (values.length === 0) {
    if (options.requireResource !== false || options.resources.length !== 1)
      throw fail('resource', 'ERR_ID_JAG_RESOURCE_MISSING', 'The ID-JAG has no resource claim, and this authorization server requires one.');
    resource = options.resources[0];
  } else {
    const foreign = values.filter((v) => !options.resources.includes(v));
    if (foreign.length > 0)
      throw fail('resource', 'ERR_ID_JAG_RESOURCE_FOREIGN', `The ID-JAG is for ${foreign.join(', ')}, which this authorization server does not serve.`);
    resource = options.requestedResource ?? values[0];
  }
  if (
    options.requestedResource !== undefined &&
    (!options.resources.includes(options.requestedResource) || (values.length > 0 && !values.includes(options.requestedResource)))
  )
    throw fail('resource', 'ERR_REQUEST_RESOURCE_NOT_SERVED', `The requested resource ${options.requestedResource} is not one this grant covers.`, 'target');
  return resource as string;
}

function checkConfirmation(claims: IdJagClaims, dpopJkt: string | undefined): void {
  const cnf = claims.cnf as unknown;
  if (cnf === undefined) return;
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as { jkt?: unknown }).jkt : undefined;
  if (typeof jkt !== 'string' || jkt === '')
    throw fail('cnf', 'ERR_ID_JAG_CNF_INVALID', 'The cnf claim must carry a jkt (RFC 7638 thumbprint); no other confirmation method is accepted.');
  if (dpopJkt === undefined)
    throw fail('cnf', 'ERR_ID_JAG_DPOP_REQUIRED', 'The ID-JAG is bound to a DPoP key (cnf.jkt); present it with a DPoP proof of that key.');
  if (dpopJkt !== jkt) throw fail('cnf', 'ERR_ID_JAG_CNF_MISMATCH', "The DPoP proof's key is not the key this ID-JAG is bound to (cnf.jkt).");
}

function checkScope(claims: IdJagClaims, options: VerifyIdJagOptions): string[] {
  if (claims.scope !== undefined && typeof claims.scope !== 'string')
    throw fail('scope', 'ERR_ID_JAG_SCOPE_INVALID', 'The scope claim must be a space-delimited string.');
  const jagScopes = parseScope(claims.scope);
  if (options.supportedScopes) {
    const unknown = scopesMissing(jagScopes, options.supportedScopes);
    if (unknown.length > 0)
      throw fail('scope', 'ERR_ID_JAG_SCOPE_UNKNOWN', `The ID-JAG carries scopes not registered for this resource: ${unknown.join(' ')}.`);
  }
  if (options.requestedScopes === undefined) return jagScopes;
  const escalated = scopesMissing(options.requestedScopes, jagScopes);
  if (escalated.length > 0)
    throw fail('scope', 'ERR_SCOPE_ESCALATION', `The request asks for scopes the ID-JAG does not grant: ${escalated.join(' ')}.`, 'scope');
  return [...options.requestedScopes];
}

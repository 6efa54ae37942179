/**
 * OAuth errors as classes named after their wire code (RFC 6749 §5.2, RFC 8693 §2.2.2, RFC 8707 §2,
 * RFC 6750 §3.1). Each carries the wire `error`, an HTTP status, a caller-safe `error_description`,
 * the spec clause that defines the failure, and a stable internal `code` that tests and the console
 * switch on (never the message text).
 */

import type { DefaultErrorCode, ErrorCode } from './error-codes.ts';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'insufficient_user_authentication'
  | 'server_error'
  | 'temporarily_unavailable';

export interface OAuthErrorOptions {
  /** Stable internal code, e.g. `ERR_ID_JAG_AUD_MISMATCH` (error-codes.ts). */
  code?: ErrorCode;
  /** Spec clause that this failure enforces, e.g. `draft-04 §4.4.1`. */
  specRef?: string;
  /** Internal detail for the audit log; never sent to the caller. */
  detail?: unknown;
  /** Extra RFC 6749 §5.2 response parameters, e.g. draft-04 §9.2 `max_age`; sent to the caller. */
  params?: Readonly<Record<string, string | number>>;
  cause?: unknown;
}

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  readonly error_description: string;
  readonly code: ErrorCode;
  readonly specRef: string | undefined;
  readonly detail: unknown;
  readonly params: Readonly<Record<string, string | number>>;

  constructor(error: OAuthErrorCode, status: number, description: string, options: OAuthErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.error = error;
    this.status = status;
    this.error_description = description;
    this.code = options.code ?? (`ERR_${error.toUpperCase()}` as DefaultErrorCode);
    this.specRef = options.specRef;
    this.detail = options.detail;
    this.params = options.params ?? {};
  }

  /** RFC 6749 §5.2 response body, with the error's extra parameters. */
  toJSON(): { error: OAuthErrorCode; error_description: string; [param: string]: string | number } {
    return { ...this.params, error: this.error, error_description: this.error_description };
  }
}

const make = (error: OAuthErrorCode, status: number) =>
  class extends OAuthError {
    constructor(description: string, options?: OAuthErrorOptions) {
      super(error, status, description, options);
    }
  };

export class InvalidRequest extends make('invalid_request', 400) {}
export class InvalidClient extends make('invalid_client', 401) {}
export class InvalidGrant extends make('invalid_grant', 400) {}
export class UnauthorizedClient extends make('unauthorized_client', 400) {}
export class UnsupportedGrantType extends make('unsupported_grant_type', 400) {}
export class InvalidScope extends make('invalid_scope', 400) {}
export class InvalidTarget extends make('invalid_target', 400) {}
export class AccessDenied extends make('access_denied', 400) {}
export class InvalidToken extends make('invalid_token', 401) {}
export class InsufficientScope extends make('insufficient_scope', 403) {}
/** RFC 9449 §5: the DPoP proof is missing a required part or fails validation. */
export class InvalidDpopProof extends make('invalid_dpop_proof', 400) {}
/** RFC 9449 §8: the server requires a `nonce` it handed out (in the `DPoP-Nonce` response header) in the proof. */
export class UseDpopNonce extends make('use_dpop_nonce', 400) {}
/** draft-04 §9.2 step-up: the user's authentication is too old or too weak for this target; re-authenticate (see `max_age`). */
export class InsufficientUserAuthentication extends make('insufficient_user_authentication', 400) {}
export class ServerError extends make('server_error', 500) {}
export class TemporarilyUnavailable extends make('temporarily_unavailable', 503) {}

export function isOAuthError(e: unknown): e is OAuthError {
  return e instanceof OAuthError;
}

/** Headers every token-endpoint error (and success) carries: RFC 6749 §5.1/§5.2. */
export const NO_STORE_HEADERS = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** Serialise an OAuth error as a Web `Response` (RFC 6749 §5.2). */
export function oauthErrorResponse(err: OAuthError, extraHeaders: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(err.toJSON()), {
    status: err.status,
    headers: { 'content-type': 'application/json', ...NO_STORE_HEADERS, ...extraHeaders },
  });
}

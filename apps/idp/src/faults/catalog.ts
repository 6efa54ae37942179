/**
 * Fault switches: ways the IdP can misbehave on purpose at the token exchange, so a client developer
 * sees how their client copes (issue "bring your own client"). Each kind names what the client
 * should do about it; the client scorecard grades exactly that.
 */
import { FAULT_SLOW_MAX_MS, type FaultKind } from '@xaa/admin-contracts/idp';

export const FAULT_KINDS = {
  typ: {
    title: 'ID-JAG with the wrong typ',
    effect: 'The ID-JAG header says typ "JWT" instead of oauth-id-jag+jwt.',
    expect: 'The resource AS refuses it (invalid_grant); the client reports the error and does not loop.',
    specRef: 'draft-04 §3.1, §4.4.1',
  },
  aud: {
    title: 'ID-JAG for the wrong audience',
    effect: 'The ID-JAG aud names another authorization server.',
    expect: 'The client notices aud ≠ the AS issuer and does not send it, or the AS refuses it; no loop.',
    specRef: 'draft-04 §4.4.1',
  },
  expired: {
    title: 'Expired ID-JAG',
    effect: 'The ID-JAG expired ten minutes ago.',
    expect: 'The AS refuses it (invalid_grant); the client does not loop on it.',
    specRef: 'RFC 7523 §3 (4), EMA §7.4.2',
  },
  missing_jti: {
    title: 'ID-JAG without jti',
    effect: 'The ID-JAG has no jti claim.',
    expect: 'The AS refuses it (invalid_grant); the client does not loop on it.',
    specRef: 'draft-04 §3.1',
  },
  unknown_kid: {
    title: 'ID-JAG signed with an unknown key',
    effect: 'The ID-JAG is signed with a throwaway key whose kid is not in the IdP JWKS.',
    expect: 'The AS refuses it (invalid_grant); the client does not loop on it.',
    specRef: 'EMA §7.4.1',
  },
  slow: {
    title: 'Slow token exchange',
    effect: 'The IdP waits before answering the token exchange (delayMs, default 3 s).',
    expect: 'The client waits (or times out cleanly) and completes; no duplicate requests in flight.',
    specRef: 'RFC 6749 §5',
  },
  server_error: {
    title: 'IdP unavailable (5xx)',
    effect: 'The token exchange answers 503 temporarily_unavailable.',
    expect: 'The client reports the failure and retries at most a few times; it never sends anything to the AS.',
    specRef: 'RFC 6749 §5.2',
  },
  access_denied: {
    title: 'Policy denies the exchange',
    effect: 'The token exchange answers access_denied, as a policy denial would.',
    expect: 'The client surfaces the denial and does not retry: re-asking cannot change a policy decision.',
    specRef: 'RFC 8693 §2.2.2, RFC 6749 §5.2',
  },
} as const satisfies Record<FaultKind, unknown>;

/** The kinds are the admin contract's (@xaa/admin-contracts/idp); this table describes each. */
export { FAULT_KIND_NAMES, type FaultKind } from '@xaa/admin-contracts/idp';

/** Faults that change the minted ID-JAG (the rest act before minting). */
export const TOKEN_FAULTS: readonly FaultKind[] = ['typ', 'aud', 'expired', 'missing_jti', 'unknown_kid'];

export const SLOW_DEFAULT_MS = 3000;
export const SLOW_MAX_MS = FAULT_SLOW_MAX_MS;

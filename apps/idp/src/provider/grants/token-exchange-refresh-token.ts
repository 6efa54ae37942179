/**
 * The `requested_token_type=…:refresh_token` branch of token exchange (draft-04 §4.5): verify the SAML
 * subject (../../issuance/verify-subject-token.ts), mint an IdP refresh token
 * (../../issuance/issue-refresh-token.ts), and record it in the flow log. The caller (./token-exchange.ts)
 * has authenticated the client and checked it may use token exchange; errors propagate to its renderer.
 */
import { InvalidRequest, type TokenView } from '@xaa/protocol';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { defaults } from '../../config.ts';
import type { IdpContext } from '../../context.ts';
import { checkRefreshTokenRequest, issueRefreshToken } from '../../issuance/issue-refresh-token.ts';
import { samlAssertionView } from '../../issuance/saml-view.ts';
import { type VerifiedSubject, verifySubjectToken } from '../../issuance/verify-subject-token.ts';

type Params = Record<string, string | string[] | undefined>;

function one(params: Params, name: string, required = false): string | undefined {
  const v = params[name];
  if (Array.isArray(v)) throw new InvalidRequest(`The ${name} parameter must not be repeated.`, { code: 'ERR_PARAM_DUPLICATED', specRef: 'RFC 6749 §3.2' });
  if (v !== undefined && v.length > defaults.maxParamLength)
    throw new InvalidRequest(`The ${name} parameter is too long.`, { code: 'ERR_PARAM_TOO_LONG', specRef: 'RFC 6749 §5.2' });
  if (required && (v === undefined || v === ''))
    throw new InvalidRequest(`The ${name} parameter is required.`, { code: 'ERR_PARAM_MISSING', specRef: 'RFC 8693 §2.1' });
  return v === '' ? undefined : v;
}

export function subjectTokenViews(verified: VerifiedSubject): TokenView[] {
  return verified.saml ? [samlAssertionView(verified.saml)] : [];
}

export async function refreshTokenExchange(
  idp: IdpContext,
  ctx: KoaContextWithOIDC,
  params: Params,
  run: { traceId: string; nowSeconds: number; subject: { client: string; user?: string }; http: { method: string; url: string; request: unknown } },
) {
  const subjectTokenType = one(params, 'subject_token_type', true) as string;
  const scopes = checkRefreshTokenRequest({
    subject_token_type: subjectTokenType,
    scope: one(params, 'scope'),
    audience: one(params, 'audience'),
    resource: one(params, 'resource'),
  });
  const subjectToken = one(params, 'subject_token', true) as string;
  const verified = await verifySubjectToken(
    idp,
    idp.provider(),
    { subject_token: subjectToken, subject_token_type: subjectTokenType, clientId: run.subject.client },
    run.nowSeconds,
  );
  run.subject.user = verified.user.username;
  idp.flowLog.emit({
    traceId: run.traceId,
    party: 'idp',
    step: 'exchange.decision',
    outcome: 'ok',
    summary: `SAML assertion for ${verified.user.username} verified (signature, issuer, conditions, audience = ${verified.saml?.audience ?? '?'}): a refresh token may be issued`,
    subject: run.subject,
    tokens: subjectTokenViews(verified),
    decision: { effect: 'allow', rule: 'saml2-subject', reasons: ['draft-04 §4.5: SAML assertion → IdP refresh token'], grantedScopes: scopes },
    data: { subject_token_type: verified.kind, requested_token_type: 'refresh_token' },
  });
  const issued = await issueRefreshToken(ctx, verified, scopes);
  idp.flowLog.emit({
    traceId: run.traceId,
    party: 'idp',
    step: 'exchange.issued',
    outcome: 'ok',
    summary: `IdP refresh token for ${verified.user.username} (${scopes.join(' ')}) from a SAML assertion; ID-JAGs come from it next`,
    subject: run.subject,
    http: { ...run.http, status: 200 },
    data: { issued_token_type: 'refresh_token', expires_in: issued.body.expires_in },
  });
  return issued.body;
}

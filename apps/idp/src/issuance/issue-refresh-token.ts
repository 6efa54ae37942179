/**
 * Token exchange with `requested_token_type=urn:ietf:params:oauth:token-type:refresh_token`
 * (draft-04 §4.5, EMA §2): a SAML 2.0 client trades the Assertion from its Web SSO for an IdP refresh
 * token, and later trades that refresh token for ID-JAGs (`subject_token_type=…:refresh_token`) without
 * another front-channel sign-in and without keeping the Assertion.
 *
 * - Subject: only `saml2` here (an OIDC client already has a refresh token from its own sign-in).
 * - `scope`: OpenID scopes only; `openid offline_access` when absent (draft-04 §4.5: SHOULD request them).
 * - The refresh token is oidc-provider's own (RefreshToken model, a Grant for this client and user),
 *   so it is checked, revoked and expired like every other IdP refresh token, and ./verify-subject-token.ts
 *   accepts it for the ID-JAG exchange.
 * - Answer: RFC 8693 §2.2.1, `issued_token_type` = the refresh-token URN, the token in `access_token`,
 *   `token_type` `N_A`.
 */
import { InvalidRequest, InvalidScope, parseScope, TOKEN_TYPE_N_A, TOKEN_TYPE_REFRESH_TOKEN, TOKEN_TYPE_SAML2 } from '@xaa/protocol';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { defaults } from '../config.ts';
import type { VerifiedSubject } from './verify-subject-token.ts';

/** The OpenID scopes a refresh token from a SAML subject may carry (those the IdP supports). */
export const REFRESH_TOKEN_SCOPES = ['openid', 'offline_access', 'email', 'profile', 'groups'];
const DEFAULT_SCOPE = 'openid offline_access';

export interface RefreshTokenRequest {
  subject_token_type: string;
  scope: string | undefined;
  audience: string | undefined;
  resource: string | undefined;
}

/** Request checks that come before the subject token is verified. */
export function checkRefreshTokenRequest(req: RefreshTokenRequest): string[] {
  if (req.subject_token_type !== TOKEN_TYPE_SAML2)
    throw new InvalidRequest('A refresh token is issued by token exchange only for a SAML 2.0 assertion (subject_token_type saml2).', {
      code: 'ERR_REQUESTED_TYPE_UNSUPPORTED',
      specRef: 'draft-04 §4.5',
    });
  if (req.audience !== undefined || req.resource !== undefined)
    throw new InvalidRequest('An IdP refresh token is not issued for an audience or resource; ask for ID-JAGs with it instead.', {
      code: 'ERR_RT_TARGET',
      specRef: 'draft-04 §4.5',
    });
  const scopes = parseScope(req.scope ?? DEFAULT_SCOPE);
  const unknown = scopes.filter((s) => !REFRESH_TOKEN_SCOPES.includes(s));
  if (unknown.length)
    throw new InvalidScope(`A refresh token from a SAML assertion carries OpenID scopes only (${REFRESH_TOKEN_SCOPES.join(' ')}), not ${unknown.join(' ')}.`, {
      code: 'ERR_RT_SCOPE',
      specRef: 'draft-04 §4.5',
    });
  if (!scopes.includes('openid')) scopes.unshift('openid');
  return scopes;
}

/** Mint the refresh token (oidc-provider's Grant + RefreshToken models) for the verified subject. */
export async function issueRefreshToken(ctx: KoaContextWithOIDC, subject: VerifiedSubject, scopes: string[]) {
  const { provider, client } = ctx.oidc;
  if (!client) throw new Error('no authenticated client');
  const grant = new provider.Grant({ accountId: subject.user.id, clientId: client.clientId });
  grant.addOIDCScope(scopes.join(' '));
  const grantId = await grant.save();
  const refreshToken = new provider.RefreshToken({
    accountId: subject.user.id,
    client,
    grantId,
    gty: 'token_exchange',
    scope: scopes.join(' '),
    rotations: 0,
    ...(subject.authTime !== undefined ? { authTime: subject.authTime } : {}),
  });
  const value = await refreshToken.save();
  return {
    body: {
      issued_token_type: TOKEN_TYPE_REFRESH_TOKEN,
      access_token: value,
      token_type: TOKEN_TYPE_N_A,
      scope: scopes.join(' '),
      expires_in: defaults.refreshTokenTtl,
    },
  };
}

/**
 * The ID-JAG request (RFC 8693 §2.1, draft-04 §4.3) with a subject token other than an ID token — in
 * practice the IdP refresh token a SAML sign-in was exchanged for (draft-04 §4.5). Same shape and
 * answer as the MCP SDK's `requestJwtAuthorizationGrant`, which only sends ID tokens: client
 * credentials in the body, `audience` + `resource`, and a check that the IdP issued an ID-JAG
 * (`issued_token_type`, draft-04 §4.3.4).
 */
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG } from '@xaa/protocol';
import type { FetchLike } from '../http.ts';

export interface SubjectExchangeOptions {
  tokenEndpoint: string;
  audience: string;
  resource: string;
  idToken: string;
  clientId: string;
  clientSecret?: string;
  scope?: string;
  fetchFn: FetchLike;
}

export function exchangeWithSubject(subjectTokenType: string) {
  return async (o: SubjectExchangeOptions): Promise<{ jwtAuthGrant: string; expiresIn: number | undefined; scope: string | undefined }> => {
    const body = new URLSearchParams({
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      requested_token_type: TOKEN_TYPE_ID_JAG,
      audience: o.audience,
      resource: o.resource,
      subject_token: o.idToken,
      subject_token_type: subjectTokenType,
      client_id: o.clientId,
    });
    if (o.clientSecret) body.set('client_secret', o.clientSecret);
    if (o.scope) body.set('scope', o.scope);
    const res = await o.fetchFn(o.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: body.toString(),
    });
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) throw new Error(`Token exchange failed: ${String(json.error ?? res.status)}`);
    if (json.issued_token_type !== TOKEN_TYPE_ID_JAG || typeof json.access_token !== 'string')
      throw new Error('Invalid token exchange response: not an ID-JAG (issued_token_type)');
    return {
      jwtAuthGrant: json.access_token,
      expiresIn: typeof json.expires_in === 'number' ? json.expires_in : undefined,
      scope: typeof json.scope === 'string' ? json.scope : undefined,
    };
  };
}

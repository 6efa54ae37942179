/**
 * Step 3 of redemption: the access token (RFC 9068 JWT, `typ: at+jwt`), audience-restricted to the
 * resource the ID-JAG names (EMA §5.1), `sub` = the local user, `client_id` = the authenticated
 * client, `scope` = the granted scopes, plus the IdP subject for attribution (`idp_iss`, `idp_sub`),
 * and `cnf.jkt` when the request carried a DPoP proof (RFC 9449 §6.1).
 * Signed with the AS key oidc-provider publishes (same `kid`), so the MCP server checks both paths'
 * tokens alike. No refresh token (draft-04 §4.4.3): the IdP stays in the loop at every renewal.
 */
import { randomUUID } from 'node:crypto';
import { signJwt, TYP_ACCESS_TOKEN } from '@xaa/protocol';
import type { JWTPayload } from 'jose';
import type { ServerRuntime } from '../../context.ts';

export interface IssuedAccessToken {
  access_token: string;
  claims: JWTPayload;
  expires_in: number;
}

export async function issueAccessToken(
  rt: ServerRuntime,
  input: {
    userId: string;
    clientId: string;
    resource: string;
    scopes: string[];
    idp: { iss: string; sub: string };
    authTime?: number;
    jkt?: string | undefined;
  },
): Promise<IssuedAccessToken> {
  const ttl = rt.settings.get().access_token_ttl;
  const iat = rt.nowSeconds();
  const claims: JWTPayload = {
    iss: rt.def.issuer,
    aud: input.resource,
    sub: input.userId,
    client_id: input.clientId,
    ...(input.scopes.length ? { scope: input.scopes.join(' ') } : {}),
    jti: randomUUID(),
    iat,
    exp: iat + ttl,
    ...(input.authTime !== undefined ? { auth_time: input.authTime } : {}),
    idp_iss: input.idp.iss,
    idp_sub: input.idp.sub,
    // RFC 9449 §6.1: bound to the key the client proved at this token endpoint.
    ...(input.jkt !== undefined ? { cnf: { jkt: input.jkt } } : {}),
  };
  const access_token = await signJwt(claims, rt.key.signer, { typ: TYP_ACCESS_TOKEN });
  return { access_token, claims, expires_in: ttl };
}

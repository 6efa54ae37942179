/**
 * Redemption: the access token (RFC 9068 JWT, `typ: at+jwt`), audience-restricted to the
 * resource the ID-JAG names (EMA §5.1), `sub` = the local user, `client_id` = the authenticated
 * client, `scope` = the granted scopes, plus the IdP subject for attribution (`idp_iss`, `idp_sub`),
 * and `cnf.jkt` when the request carried a DPoP proof (RFC 9449 §6.1).
 * Signed with the AS key oidc-provider publishes (same `kid`), so the MCP server checks both paths'
 * tokens alike. No refresh token (draft-04 §4.4.3): the IdP stays in the loop at every renewal.
 */
import { randomUUID } from 'node:crypto';
import { need } from '@xaa/node-kit/oidc-host';
import { type SigningKey, signJwt, stripSignature, type TokenView, TYP_ACCESS_TOKEN, tokenHash } from '@xaa/protocol';
import type { JWTPayload } from 'jose';
import type { ServerRuntime } from '../../context.ts';
import { rememberIssuedAccessToken } from '../../rs/verified-tokens.ts';
import type { BearerState } from './bearer-state.ts';

export interface IssuedAccessToken {
  access_token: string;
  /** The JOSE header and the claims as signed (the token's own, not decoded back from it). */
  header: { typ: string; alg: string; kid: string };
  claims: JWTPayload;
  expires_in: number;
}

/** The encoded JOSE header of this key's access tokens: the same bytes for every token, encoded once. */
const encodedHeaders = new WeakMap<SigningKey, string>();

/**
 * RFC 7515 §7.1 compact serialisation with the key's own signer (Node's crypto, the private key imported
 * once): the bytes `signJwt` would produce, the constant header encoded once per key.
 */
async function signAccessToken(claims: JWTPayload, key: SigningKey, header: IssuedAccessToken['header']): Promise<string> {
  if (!key.sign) return signJwt(claims, key, { typ: header.typ });
  let encodedHeader = encodedHeaders.get(key);
  if (encodedHeader === undefined) {
    encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url');
    encodedHeaders.set(key, encodedHeader);
  }
  const signingInput = `${encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${key.sign(signingInput)}`;
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
  const header = { typ: TYP_ACCESS_TOKEN, alg: rt.key.signer.alg, kid: rt.key.signer.kid };
  const access_token = await signAccessToken(claims, rt.key.signer, header);
  // This server's MCP endpoint accepts it without checking again who signed it (rs/verified-tokens.ts).
  rememberIssuedAccessToken(rt, access_token);
  return { access_token, header, claims, expires_in: ttl };
}

/** The flow event's view of a token this AS just signed: what `tokenView` would decode, without decoding it. */
async function issuedTokenView(issued: IssuedAccessToken, redact: boolean): Promise<TokenView> {
  return {
    role: 'access_token',
    header: { ...issued.header },
    claims: issued.claims,
    hash: await tokenHash(issued.access_token),
    compact: redact ? stripSignature(issued.access_token) : issued.access_token,
  };
}

/** Redemption step `issue-access-token`: the token, the `bearer.issued` event and the RFC 6749 §5.1 response body. */
export async function issue(state: BearerState): Promise<void> {
  const { rt } = state;
  const grant = need(state.grant, 'grant');
  const user = need(state.user, 'user');
  const issued = await issueAccessToken(rt, {
    userId: user.id,
    clientId: state.client.id,
    resource: grant.resource,
    scopes: grant.grantedScopes,
    idp: { iss: grant.claims.iss, sub: grant.claims.sub },
    ...(typeof grant.claims.auth_time === 'number' ? { authTime: grant.claims.auth_time } : {}),
    jkt: state.binding?.jkt,
  });
  state.issued = issued;
  const scope = grant.grantedScopes.join(' ');
  rt.flowLog.emit({
    traceId: state.traceId,
    party: rt.party.as,
    step: 'bearer.issued',
    outcome: 'ok',
    summary: `Access token for ${user.username} via ${state.client.id}: ${scope}, expires in ${issued.expires_in}s`,
    subject: { client: state.client.id, user: user.username, server: rt.def.name },
    tokens: [await issuedTokenView(issued, rt.flowLog.redact)],
    data: { scope, expires_at: issued.claims.exp, jti: issued.claims.jti, id_jag_jti: grant.claims.jti },
  });
  // ID-JAG builds after -04, §4.4.2: the token is restricted to this resource (its `aud`), so say which.
  state.response = {
    access_token: issued.access_token,
    token_type: state.binding?.token_type ?? 'Bearer',
    expires_in: issued.expires_in,
    scope,
    resource: grant.resource,
  };
}

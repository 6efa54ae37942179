/**
 * RFC 8414 authorization server metadata at `/.well-known/oauth-authorization-server` (the issuer has
 * no path, so no suffix). An AS that redeems ID-JAGs lists the grant profile
 * `urn:ietf:params:oauth:grant-profile:id-jag` and the jwt-bearer grant (draft-04 §7.2, EMA §6);
 * Wiki (classic only) lists neither. The trusted IdPs are never published (draft-04 §9.4).
 */
import {
  type AuthorizationServerMetadata,
  DPOP_ALGORITHMS,
  GRANT_PROFILE_ID_JAG,
  GRANT_TYPE_AUTHORIZATION_CODE,
  GRANT_TYPE_CLIENT_CREDENTIALS,
  GRANT_TYPE_JWT_BEARER,
  GRANT_TYPE_REFRESH_TOKEN,
} from '@xaa/protocol';
import type { ServerDef } from '@xaa/topology';
import { ROUTES } from './provider/configuration.ts';

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

export function authorizationServerMetadata(def: ServerDef): AuthorizationServerMetadata {
  const url = (path: string) => `${def.issuer}${path}`;
  const grants = [GRANT_TYPE_AUTHORIZATION_CODE, GRANT_TYPE_REFRESH_TOKEN, GRANT_TYPE_CLIENT_CREDENTIALS, ...(def.xaa ? [GRANT_TYPE_JWT_BEARER] : [])];
  return {
    issuer: def.issuer,
    authorization_endpoint: url(ROUTES.authorization),
    token_endpoint: url(ROUTES.token),
    jwks_uri: url(ROUTES.jwks),
    registration_endpoint: url(ROUTES.registration),
    revocation_endpoint: url(ROUTES.revocation),
    introspection_endpoint: url(ROUTES.introspection),
    scopes_supported: [...def.scopes],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: grants,
    ...(def.xaa ? { authorization_grant_profiles_supported: [GRANT_PROFILE_ID_JAG] } : {}),
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ['ES256', 'RS256', 'PS256', 'EdDSA'],
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS.filter((m) => m !== 'none'),
    code_challenge_methods_supported: ['S256'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
    resource_indicators_supported: true,
    // RFC 9449 §5.1: the jwt-bearer grant checks DPoP proofs and binds access tokens to their key.
    ...(def.xaa ? { dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS] } : {}),
  };
}

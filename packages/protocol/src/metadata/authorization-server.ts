/** RFC 8414 metadata of a resource authorization server that redeems ID-JAGs (draft-04 §7.2, EMA §6). */
import { GRANT_PROFILE_ID_JAG, GRANT_TYPE_JWT_BEARER } from '../constants.ts';

export interface AuthorizationServerMetadata {
  issuer: string;
  token_endpoint: string;
  jwks_uri?: string;
  authorization_endpoint?: string;
  grant_types_supported?: string[];
  authorization_grant_profiles_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  response_types_supported: string[];
  code_challenge_methods_supported?: string[];
  [k: string]: unknown;
}

/** EMA §6: the client uses ID-JAG only where the RAS lists the grant profile. */
export function supportsIdJag(metadata: Partial<AuthorizationServerMetadata>): boolean {
  return (
    Array.isArray(metadata.authorization_grant_profiles_supported) &&
    metadata.authorization_grant_profiles_supported.includes(GRANT_PROFILE_ID_JAG) &&
    (!Array.isArray(metadata.grant_types_supported) || metadata.grant_types_supported.includes(GRANT_TYPE_JWT_BEARER))
  );
}

/**
 * The admin API of each sample MCP server's origin (`<origin>/admin`, docs/contracts.md "Admin
 * APIs"): the "Configure XAA" screen of a SaaS — trusted IdPs, authorization-server settings,
 * registered clients. The routes parse with these schemas; scripts and the console read the
 * records with the inferred types.
 */
import { GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_JWT_BEARER } from '@xaa/protocol';
import { z } from 'zod';

/** JWS algorithms a trusted IdP may sign ID-JAGs with (RFC 7518 §3.1, RFC 8037). */
export const ID_JAG_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'] as const;
/** Bounds (s) of the AS access-token lifetime. */
export const ACCESS_TOKEN_TTL_RANGE = [30, 86_400] as const;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on a loopback host (EMA §7.3: TLS everywhere but a local playground). */
export const secureUrl = z.string().refine((v) => {
  if (!URL.canParse(v)) return false;
  const u = new URL(v);
  return (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))) && !u.hash && !u.username;
}, 'must be an https URL (http only for localhost)');

// zod runs every refinement even after one failed: this one must not throw on what secureUrl refused.
const issuerSchema = secureUrl.refine((v) => !URL.canParse(v) || !new URL(v).search, 'an issuer has no query');

export const trustedIssuerCreate = z
  .object({ issuer: issuerSchema, jwks_uri: secureUrl, algorithms: z.array(z.enum(ID_JAG_ALGORITHMS)).min(1).optional(), enabled: z.boolean().optional() })
  .strict();
export const trustedIssuerPatch = z
  .object({ jwks_uri: secureUrl.optional(), algorithms: z.array(z.enum(ID_JAG_ALGORITHMS)).min(1).optional(), enabled: z.boolean().optional() })
  .strict();

export const trustedIssuerRecord = z.object({
  issuer: z.string(),
  jwks_uri: z.string(),
  algorithms: z.array(z.string()),
  enabled: z.boolean(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type TrustedIssuer = z.infer<typeof trustedIssuerRecord>;

/** The AS settings a `PATCH /admin/settings` may change (each applies to the next request). */
export const asSettingsRecord = z.object({
  /** Accept an ID-JAG again until its exp (interop); single use otherwise (EMA §7.4). */
  allow_representation: z.boolean(),
  /** Create a local user for an unknown (iss, sub) on first redemption. */
  jit_provisioning: z.boolean(),
  access_token_ttl: z.number().int(),
  /** Hide which ID-JAG check failed from the caller (the flow log still says). */
  generic_errors: z.boolean(),
  /** RFC 9728 §2: only DPoP-bound access tokens are issued and accepted. */
  dpop_bound_access_tokens_required: z.boolean(),
  /** RFC 9449 §8, §9: DPoP proofs must carry a nonce this server handed out. */
  use_dpop_nonce: z.boolean(),
});
export type AsSettings = z.infer<typeof asSettingsRecord>;

export const settingsPatch = z
  .object({
    allow_representation: z.boolean().optional(),
    jit_provisioning: z.boolean().optional(),
    access_token_ttl: z.number().int().min(ACCESS_TOKEN_TTL_RANGE[0]).max(ACCESS_TOKEN_TTL_RANGE[1]).optional(),
    generic_errors: z.boolean().optional(),
    dpop_bound_access_tokens_required: z.boolean().optional(),
    use_dpop_nonce: z.boolean().optional(),
  })
  .strict();

export const clientCreate = z
  .object({
    client_id: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{3,100}$/, '3-100 characters of A-Z a-z 0-9 . _ ~ -')
      .optional(),
    client_name: z.string().trim().min(1).max(100),
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']).default('client_secret_basic'),
    grant_types: z.array(z.enum(['authorization_code', 'refresh_token', GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_JWT_BEARER])).min(1),
    redirect_uris: z.array(z.string().url()).optional(),
    client_secret: z.string().min(16).max(200).optional(),
    jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).optional(),
    jwks_uri: secureUrl.optional(),
  })
  .strict();
export type ClientCreate = z.infer<typeof clientCreate>;

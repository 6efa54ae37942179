/**
 * The IdP admin API (`<issuer>/admin`, docs/contracts.md "Admin APIs"): every request body and query
 * the routes validate, and the records they answer with. The routes parse with these schemas, the
 * OpenAPI document is generated from them, and the console's types are inferred from them, so the
 * three cannot drift apart. Wire names stay verbatim (snake_case).
 */
import { z } from 'zod';
import { audienceSchema, httpUrl, identifierUrl, publicJwk, redirectUrl, scopeToken, slug } from './fields.ts';

/** Upper bound of an ID-JAG's lifetime (s) that a connection or a test mint may ask for. */
export const ID_JAG_MAX_TTL = 3600;
/** The fault switches the IdP offers (apps/idp/src/faults/catalog.ts describes each). */
export const FAULT_KIND_NAMES = ['typ', 'aud', 'expired', 'missing_jti', 'unknown_kid', 'slow', 'server_error', 'access_denied'] as const;
export type FaultKind = (typeof FAULT_KIND_NAMES)[number];
/** Longest delay (ms) of the `slow` fault. */
export const FAULT_SLOW_MAX_MS = 20_000;

// ---- users, groups, sessions ---------------------------------------------------------------------

export const userCreate = z
  .object({
    username: slug,
    email: z.email().max(254),
    name: z.string().min(1).max(200),
    password: z.string().min(1).max(200),
    groups: z.array(slug).max(100).optional(),
    admin: z.boolean().optional(),
  })
  .strict();

export const userPatch = z
  .object({
    email: z.email().max(254).optional(),
    name: z.string().min(1).max(200).optional(),
    password: z.string().min(1).max(200).optional(),
    groups: z.array(slug).max(100).optional(),
    admin: z.boolean().optional(),
    disabled: z.boolean().optional(),
  })
  .strict();

export const groupCreate = z.object({ name: slug, title: z.string().min(1).max(200) }).strict();
export const groupPatch = z.object({ title: z.string().min(1).max(200) }).strict();
export const sessionsQuery = z.object({ user: z.string().min(1).max(64).optional() }).strict();
export const revokeBody = z.object({ reason: z.string().max(500).optional() }).strict();

export const userRecord = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  name: z.string(),
  groups: z.array(z.string()),
  admin: z.boolean(),
  disabled: z.boolean(),
  /** Epoch seconds: tokens issued before this are refused; null when never revoked. */
  not_before: z.number().nullable(),
  created_at: z.number(),
  updated_at: z.number(),
});
export type User = z.infer<typeof userRecord>;

export const groupRecord = z.object({ name: z.string(), title: z.string(), members: z.array(z.string()) });
export type Group = z.infer<typeof groupRecord>;

// ---- apps ------------------------------------------------------------------------------------------

export const tokenEndpointAuthMethod = z.enum(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
const jwks = z.object({ keys: z.array(publicJwk).min(1).max(10) }).strict();
const registrations = z.record(slug, z.string().min(1).max(256));

export const appCreate = z
  .object({
    client_id: slug.optional(),
    title: z.string().min(1).max(200),
    token_endpoint_auth_method: tokenEndpointAuthMethod.optional(),
    redirect_uris: z.array(redirectUrl).max(20).optional(),
    post_logout_redirect_uris: z.array(redirectUrl).max(20).optional(),
    jwks: jwks.optional(),
    token_exchange: z.boolean().optional(),
    registrations: registrations.optional(),
  })
  .strict();

export const appPatch = z
  .object({
    title: z.string().min(1).max(200).optional(),
    token_endpoint_auth_method: tokenEndpointAuthMethod.optional(),
    redirect_uris: z.array(redirectUrl).max(20).optional(),
    post_logout_redirect_uris: z.array(redirectUrl).max(20).optional(),
    jwks: jwks.nullable().optional(),
    token_exchange: z.boolean().optional(),
    disabled: z.boolean().optional(),
    registrations: registrations.optional(),
  })
  .strict();

export const registrationPut = z.object({ client_id: z.string().min(1).max(256) }).strict();

/** An app as the admin API shows it (secrets included: this is a sandbox, like playground.json). */
export const appRecord = z.object({
  client_id: z.string(),
  title: z.string(),
  kind: z.enum(['app', 'console', 'ops', 'sign-in']),
  client_secret: z.string().nullable(),
  token_endpoint_auth_method: tokenEndpointAuthMethod,
  redirect_uris: z.array(z.string()),
  post_logout_redirect_uris: z.array(z.string()),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
  token_exchange: z.boolean(),
  disabled: z.boolean(),
  /** server name → the app's client_id at that server's AS (the ID-JAG `client_id`, draft-04 §5). */
  registrations: z.record(z.string(), z.string()),
  created_at: z.number(),
  updated_at: z.number(),
});
export type App = z.infer<typeof appRecord>;

// ---- servers ---------------------------------------------------------------------------------------

export const serverCreate = z
  .object({
    name: slug,
    title: z.string().min(1).max(200),
    issuer: identifierUrl,
    resource: identifierUrl,
    scopes: z.array(scopeToken).max(100),
    xaa: z.boolean().optional(),
    pairwise_subject: z.boolean().optional(),
    admin_url: identifierUrl.nullable().optional(),
  })
  .strict();

export const serverPatch = z
  .object({
    title: z.string().min(1).max(200).optional(),
    issuer: identifierUrl.optional(),
    resource: identifierUrl.optional(),
    scopes: z.array(scopeToken).max(100).optional(),
    xaa: z.boolean().optional(),
    pairwise_subject: z.boolean().optional(),
    admin_url: identifierUrl.nullable().optional(),
  })
  .strict();

/** A registered (audience = AS issuer, resource) pair with its scopes (EMA §7.6.1). */
export const serverRecord = z.object({
  name: z.string(),
  title: z.string(),
  issuer: z.string(),
  resource: z.string(),
  scopes: z.array(z.string()),
  xaa: z.boolean(),
  pairwise_subject: z.boolean(),
  admin_url: z.string().nullable(),
});
export type Server = z.infer<typeof serverRecord>;

// ---- connections -----------------------------------------------------------------------------------

const ttl = z.number().int().min(10).max(ID_JAG_MAX_TTL);
/** Step-up: seconds since the user's sign-in (draft-04 §9.2); null removes the requirement. */
const maxAuthAge = z
  .number()
  .int()
  .min(1)
  .max(30 * 24 * 3600)
  .nullable();

export const connectionCreate = z
  .object({
    client_id: slug,
    server: slug,
    scopes: z.array(scopeToken).min(1).max(100),
    audience: audienceSchema,
    ttl: ttl.optional(),
    enabled: z.boolean().optional(),
    max_auth_age: maxAuthAge.optional(),
    /** Sender constraint: token exchanges must carry a DPoP proof (RFC 9449 §4). */
    require_dpop: z.boolean().optional(),
  })
  .strict();

export const connectionPatch = z
  .object({
    scopes: z.array(scopeToken).min(1).max(100).optional(),
    audience: audienceSchema.optional(),
    ttl: ttl.optional(),
    enabled: z.boolean().optional(),
    max_auth_age: maxAuthAge.optional(),
    /** Sender constraint: token exchanges must carry a DPoP proof (RFC 9449 §4). */
    require_dpop: z.boolean().optional(),
  })
  .strict();

export const connectionsQuery = z.object({ client_id: slug.optional(), server: slug.optional() }).strict();

export const connectionRecord = z.object({
  id: z.string(),
  client_id: z.string(),
  server: z.string(),
  scopes: z.array(z.string()),
  audience: audienceSchema,
  ttl: z.number(),
  enabled: z.boolean(),
  max_auth_age: z.number().nullable(),
  require_dpop: z.boolean(),
  created_at: z.number(),
  updated_at: z.number(),
  client_title: z.string(),
  server_title: z.string(),
  issuer: z.string().nullable(),
  resource: z.string().nullable(),
  client_id_at_server: z.string(),
});
export type Connection = z.infer<typeof connectionRecord>;

// ---- policy simulator and effective access ----------------------------------------------------------

export const simulateBody = z
  .object({
    user: z.string().min(1).max(64),
    app: slug,
    server: slug,
    scopes: z.array(scopeToken).max(100).optional(),
    resource: identifierUrl.optional(),
    /** Seconds since the user signed in (step-up connections); default 0 = just now. */
    auth_age: z
      .number()
      .int()
      .min(0)
      .max(366 * 24 * 3600)
      .optional(),
    /** The client sends a DPoP proof (RFC 9449): the simulated ID-JAG shows a placeholder `cnf.jkt`. Default false. */
    dpop: z.boolean().optional(),
  })
  .strict();

/** One check of a policy decision; `warn` passed with a caution (e.g. a public client at token exchange). */
export const traceStepRecord = z.object({ check: z.string(), outcome: z.enum(['pass', 'fail', 'skip', 'warn']), detail: z.string() });
export type TraceStep = z.infer<typeof traceStepRecord>;

export const simulateResult = z.object({
  decision: z.object({
    effect: z.enum(['allow', 'deny']),
    rule: z.string(),
    reasons: z.array(z.string()),
    grantedScopes: z.array(z.string()),
    narrowed: z.boolean().optional(),
    code: z.string().optional(),
  }),
  trace: z.array(traceStepRecord),
  /** The ID-JAG claims that would be minted (allow only; null on deny). */
  claims: z.record(z.string(), z.unknown()).nullable(),
  header: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ error: z.string(), error_description: z.string(), max_age: z.number().optional() }).optional(),
  minted: z.literal(false).optional(),
});
export type SimulateResult = z.infer<typeof simulateResult>;

const accessBase = {
  app: z.string(),
  app_title: z.string(),
  server: z.string(),
  server_title: z.string(),
  issuer: z.string(),
  resource: z.string(),
  rule: z.string(),
  reasons: z.array(z.string()),
};
export const accessAllowed = z.object({
  ...accessBase,
  scopes: z.array(z.string()),
  connection: z.string(),
  client_id_at_server: z.string(),
  ttl: z.number(),
  max_auth_age: z.number().nullable(),
});
export const accessDenied = z.object({ ...accessBase, code: z.string() });
export const effectiveAccess = z.object({ user: userRecord, access: z.array(accessAllowed), denied: z.array(accessDenied) });
export type AccessAllowed = z.infer<typeof accessAllowed>;
export type AccessDenied = z.infer<typeof accessDenied>;
export type EffectiveAccess = z.infer<typeof effectiveAccess>;

// ---- keys, faults, audit, scorecard ---------------------------------------------------------------

export const rotateBody = z.object({ alg: z.enum(['ES256', 'RS256']).optional() }).strict();

export const signingKeyRecord = z.object({
  kid: z.string(),
  alg: z.string(),
  current: z.boolean(),
  created_at: z.number(),
  retired_at: z.number().nullable(),
  /** Until when the key stays in the JWKS (retired_at + overlap); null while current. */
  published_until: z.number().nullable(),
  public_jwk: z.record(z.string(), z.unknown()),
});
export type SigningKey = z.infer<typeof signingKeyRecord>;
export const keysView = z.object({
  current_kid: z.string().nullable(),
  current_alg: z.string().nullable(),
  overlap_seconds: z.number(),
  keys: z.array(signingKeyRecord),
});
export type KeysView = z.infer<typeof keysView>;

export const faultRule = z
  .object({
    kind: z.enum(FAULT_KIND_NAMES),
    client: z.string().min(1).max(256).optional(),
    server: slug.optional(),
    delayMs: z.number().int().min(0).max(FAULT_SLOW_MAX_MS).optional(),
    remaining: z.number().int().min(1).max(1000).optional(),
  })
  .strict();
export const faultsPut = z.object({ faults: z.array(faultRule).max(50) }).strict();
export type FaultRule = z.infer<typeof faultRule>;

const text = z.string().max(500);
export const auditQuery = z
  .object({
    step: text.optional(),
    outcome: z.enum(['ok', 'denied', 'error']).optional(),
    user: text.optional(),
    client: text.optional(),
    server: text.optional(),
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'A W3C trace-id: 32 lowercase hex digits.')
      .optional(),
    rule: text.optional(),
    jti: text.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    q: text.optional(),
    before: text.optional(),
    limit: z.coerce.number().int().min(1).max(5000).optional(),
    format: z.enum(['csv', 'json']).optional(),
  })
  .strict();

const offset = z
  .number()
  .int()
  .min(-7 * 86400)
  .max(7 * 86400);

const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** One documented way to break a test ID-JAG (the AS scorecard). */
export const mutationSchema = z
  .object({
    /** JOSE typ; null removes it. */
    typ: z.string().min(1).max(64).nullable().optional(),
    /** Claims to set or replace; never `iss`. */
    set: z
      .record(z.string().regex(CLAIM_NAME, 'Not a claim name.'), z.unknown())
      .refine((o) => !('iss' in o), 'The IdP signs only its own issuer; iss cannot be set.')
      .refine((o) => Object.keys(o).length <= 20, 'At most 20 claims.')
      .optional(),
    remove: z.array(z.string().regex(CLAIM_NAME, 'Not a claim name.')).max(20).optional(),
    /** Offsets in seconds from now. */
    times: z.object({ iat: offset.optional(), exp: offset.optional(), nbf: offset.optional() }).strict().optional(),
  })
  .strict();

export const mintSchema = z
  .object({
    audience: httpUrl,
    client_id: z.string().min(1).max(256),
    resource: httpUrl.optional(),
    scope: z.string().max(1024).optional(),
    user: z.string().min(1).max(128),
    ttl: z.number().int().min(1).max(ID_JAG_MAX_TTL).optional(),
    mutation: mutationSchema.optional(),
  })
  .strict();
export type MintBody = z.infer<typeof mintSchema>;
export type Mutation = z.infer<typeof mutationSchema>;

// ---- SAML 2.0 ----------------------------------------------------------------------------------------

/** `GET /admin/saml`: the IdP's SAML 2.0 side (entity ID, certificates in rotation) and the SAML apps. */
export const samlInfo = z.object({
  entity_id: z.string(),
  metadata_url: z.string(),
  sso_url: z.string(),
  overlap_seconds: z.number(),
  now: z.number(),
  certificates: z.array(
    z.object({
      id: z.string(),
      current: z.boolean(),
      created_at: z.number(),
      retired_at: z.number().nullable(),
      published_until: z.number().nullable(),
      subject: z.string(),
      not_after: z.number(),
      fingerprint_sha256: z.string(),
    }),
  ),
  apps: z.array(
    z.object({ client_id: z.string(), entity_id: z.string(), acs_urls: z.array(z.string()), name_id_format: z.string(), authn_requests_signed: z.boolean() }),
  ),
});
export type SamlInfo = z.infer<typeof samlInfo>;

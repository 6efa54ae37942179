/**
 * The flow event: the one wire format of the live view (docs/decisions.md §5). Producers (IdP, AS, MCP server,
 * client) and the console share this schema. Tokens appear as header + claims (+ a hash); the
 * `compact` form is only kept in memory for the signed-in admin and is dropped in redact mode and in
 * every persisted record.
 */
import { z } from 'zod';

export const FLOW_STEPS = [
  'sso.authorize',
  'sso.login',
  'sso.token',
  'exchange.request',
  'exchange.decision',
  'exchange.issued',
  'bearer.request',
  'bearer.check',
  'bearer.issued',
  'mcp.request',
  'mcp.response',
  'admin.change',
  'revocation',
  'classic.authorize',
  'classic.consent',
  'classic.token',
  /** The IdP misbehaved on purpose (an admin-enabled fault switch fired), so a client developer can see it. */
  'fault.injected',
  /**
   * A server handed out its metadata (RFC 9728 protected resource metadata, RFC 8414 AS metadata):
   * where a client's discovery shows up in the trace, before its first token request.
   */
  'discovery',
] as const;
export type FlowStep = (typeof FLOW_STEPS)[number];

export const PartySchema = z.union([z.literal('idp'), z.literal('client'), z.literal('console'), z.string().regex(/^(as|mcp):[a-z0-9-]+$/)]);
export type Party = 'idp' | 'client' | 'console' | `as:${string}` | `mcp:${string}`;

export const TokenViewSchema = z.object({
  /** e.g. `id_token`, `id_jag`, `access_token`, `subject_token`, `client_assertion`. */
  role: z.string(),
  /** Present only in memory and only when redaction is off. */
  compact: z.string().optional(),
  header: z.record(z.string(), z.unknown()),
  claims: z.record(z.string(), z.unknown()),
  /** Truncated SHA-256 of the compact token: lets hops refer to the same token. */
  hash: z.string().optional(),
});
export type TokenView = z.infer<typeof TokenViewSchema>;

export const HttpViewSchema = z.object({
  method: z.string(),
  url: z.string(),
  status: z.number().optional(),
  /** Redacted request: headers and a form/JSON body with secrets and tokens masked. */
  request: z.unknown().optional(),
  response: z.unknown().optional(),
  durationMs: z.number().optional(),
});
export type HttpView = z.infer<typeof HttpViewSchema>;

export const DecisionViewSchema = z.object({
  effect: z.enum(['allow', 'deny']),
  rule: z.string(),
  reasons: z.array(z.string()),
  grantedScopes: z.array(z.string()),
});
export type DecisionView = z.infer<typeof DecisionViewSchema>;

export const ErrorViewSchema = z.object({
  code: z.string(),
  description: z.string(),
  specRef: z.string().optional(),
  /** Stable internal code, e.g. ERR_ID_JAG_AUD_MISMATCH. */
  internal: z.string().optional(),
});
export type ErrorView = z.infer<typeof ErrorViewSchema>;

export const FlowEventSchema = z.object({
  id: z.string(),
  /** ISO 8601. */
  time: z.string(),
  /** W3C trace-id (32 hex). */
  traceId: z.string(),
  party: PartySchema,
  step: z.enum(FLOW_STEPS),
  outcome: z.enum(['ok', 'denied', 'error']),
  summary: z.string(),
  /** Who and what, for filters: user (IdP username or sub), client app, server name. */
  subject: z.object({ user: z.string().optional(), client: z.string().optional(), server: z.string().optional() }).optional(),
  http: HttpViewSchema.optional(),
  tokens: z.array(TokenViewSchema).optional(),
  decision: DecisionViewSchema.optional(),
  /** For `bearer.check`: which check, and its spec clause. */
  check: z.object({ id: z.string(), title: z.string(), specRef: z.string(), detail: z.string().optional() }).optional(),
  error: ErrorViewSchema.optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type FlowEvent = z.infer<typeof FlowEventSchema> & { party: Party };
export type FlowEventInput = Omit<FlowEvent, 'id' | 'time'> & { id?: string; time?: string };

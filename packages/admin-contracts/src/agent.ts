/**
 * The sample agent's admin API (`<agent origin>/admin/agent/…`, docs/contracts.md "Admin APIs"): the
 * console drives the agent through it — sign in, connect to servers, call a tool. The routes parse
 * with these schemas.
 */
import { z } from 'zod';

const who = { user: z.string().min(1).max(200).optional(), app: z.string().min(1).max(200).optional() };

/** Space-separated scope tokens (RFC 6749 §3.3). */
const scope = z
  .string()
  .max(1000)
  .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'space-separated scope tokens (RFC 6749 §3.3)')
  .optional();

export const loginBody = z.strictObject({
  user: who.user,
  app: z.string().min(1).max(200),
  headless: z.boolean().optional(),
  password: z.string().max(1000).optional(),
  /** Sign in with OIDC (default) or SAML 2.0 Web SSO (apps with a SAML registration). */
  protocol: z.enum(['oidc', 'saml']).optional(),
});
export const connectBody = z.strictObject({
  ...who,
  servers: z.array(z.string().min(1).max(200)).max(50).optional(),
  scope,
  classic: z.boolean().optional(),
  headless: z.boolean().optional(),
  /** Bind the new tokens to the session's DPoP key (RFC 9449). */
  dpop: z.boolean().optional(),
});
export const callBody = z.strictObject({
  ...who,
  server: z.string().min(1).max(200),
  tool: z.string().min(1).max(200),
  args: z.record(z.string(), z.unknown()).optional(),
  dpop: z.boolean().optional(),
  scope,
});
/** Which (user, app) session a refresh, logout or status is about. */
export const whoBody = z.strictObject(who);

export type LoginBody = z.infer<typeof loginBody>;
export type ConnectBody = z.infer<typeof connectBody>;
export type CallBody = z.infer<typeof callBody>;

/**
 * The sample agent's admin API (`<agent origin>/admin/agent/…`, docs/contracts.md "Admin APIs"): the
 * console drives the agent through it — sign in, connect to servers, call a tool. The routes parse
 * with these schemas.
 */
import { z } from 'zod';
import { identifierUrl, scopeToken, slug } from './fields.ts';

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
/** The app's client registration at that server's AS (draft-04 §5 registration 2; RFC 7591 client metadata names). */
export const asRegistration = z.strictObject({
  client_id: z.string().min(1).max(256),
  /** Absent for a public client at that AS. */
  client_secret: z.string().min(1).max(2000).optional(),
});

/**
 * `PUT /admin/agent/servers/{name}`: teach the running agent an MCP server added at run time (the
 * console's "Add a server"): its RFC 9728 resource, the issuer of its AS (RFC 8414), and each app's
 * registration at that AS, keyed by the app's name at the agent. Kept in client.db.
 */
export const serverPut = z.strictObject({
  title: z.string().trim().min(1).max(200),
  /** The MCP endpoint, which is also its protected resource identifier (RFC 9728 §3.3). */
  resource: identifierUrl,
  /** The AS issuer (RFC 8414 §2): the app's credentials are only ever sent to an AS whose metadata names it. */
  issuer: identifierUrl,
  scopes: z.array(scopeToken).max(100).optional(),
  registrations: z.record(slug, asRegistration).refine((r) => Object.keys(r).length > 0 && Object.keys(r).length <= 50, 'Give 1 to 50 app registrations.'),
});
/** A server's name at the agent (the path segment of `PUT /admin/agent/servers/{name}`). */
export const serverName = slug;

/** Which (user, app) session a refresh, logout or status is about. */
export const whoBody = z.strictObject(who);

export type LoginBody = z.infer<typeof loginBody>;
export type ConnectBody = z.infer<typeof connectBody>;
export type CallBody = z.infer<typeof callBody>;
export type ServerPut = z.infer<typeof serverPut>;

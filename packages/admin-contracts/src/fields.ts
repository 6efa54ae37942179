/** Field schemas shared by the admin APIs' request bodies. */
import { z } from 'zod';

export const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'Use lowercase letters, digits, dot, dash or underscore.');

const isHttp = (u: URL) => u.protocol === 'http:' || u.protocol === 'https:';

/** An absolute URL of at most 2048 characters that `accept` approves. */
const urlField = (accept: (u: URL, raw: string) => boolean, message: string) =>
  z
    .string()
    .max(2048)
    .refine((v) => URL.canParse(v) && accept(new URL(v), v), message);

/** An issuer / resource identifier: absolute http(s) URL without query, fragment or trailing slash (docs/decisions.md §4). */
export const identifierUrl = urlField(
  (u, v) => isHttp(u) && !u.search && !u.hash && !v.endsWith('/'),
  'Must be an absolute http(s) URL without query, fragment or trailing slash.',
);

/** A redirect URI: absolute http(s) URL without fragment (RFC 6749 §3.1.2). */
export const redirectUrl = urlField((u) => isHttp(u) && !u.hash, 'Must be an absolute http(s) URL without fragment.');

/** Any absolute http(s) URL. */
export const httpUrl = urlField(isHttp, 'Must be an absolute http(s) URL.');

export const scopeToken = z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/, 'Not a valid scope token (RFC 6749 §3.3).');

/** Who a connection applies to: everyone, some groups, or some users. */
export const audienceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('groups'), groups: z.array(slug).min(1).max(100) }).strict(),
  z.object({ kind: z.literal('users'), users: z.array(z.string().min(1).max(64)).min(1).max(1000) }).strict(),
]);
export type Audience = z.infer<typeof audienceSchema>;

/** A public JWK: a `kty`, no private members. */
export const publicJwk = z
  .record(z.string(), z.unknown())
  .refine((k) => typeof k.kty === 'string' && k.d === undefined, 'Each key must be a public JWK (kty, no private members).');

/** The error answer of every admin API: RFC 6749 §5.2-shaped, with a per-field map for validation failures. */
export const problemSchema = z.object({
  error: z.string(),
  error_description: z.string(),
  fields: z.record(z.string(), z.string()).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

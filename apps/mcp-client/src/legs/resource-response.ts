/**
 * The `resource` member of a token response (editor's builds of the ID-JAG draft after -04, §4.3.4
 * for the IdP's token-exchange response and §4.4.2 for the AS's access-token response): a string or a
 * non-empty array of unique absolute URIs without fragment, naming the resources the token is
 * restricted to. The client MUST check it is a subset of what it intended and MUST NOT use the token
 * otherwise. When the member is absent the agent is lenient (draft -04 peers never send it) and relies
 * on the token's own `resource`/`aud` and the PRM resource it already checked.
 */

/** Comparison after syntax-based normalisation (RFC 3986 §6.2.2, as the WHATWG URL parser does it). */
function normal(u: string): string | undefined {
  try {
    const url = new URL(u);
    return url.hash || u.includes('#') ? undefined : url.href;
  } catch {
    return undefined;
  }
}

/** `undefined` when the returned `resource` is acceptable; otherwise why the token must be discarded. */
export function checkReturnedResource(returned: unknown, intended: readonly string[]): string | undefined {
  if (returned === undefined) return undefined;
  const values = typeof returned === 'string' ? [returned] : Array.isArray(returned) ? returned : undefined;
  if (!values || values.length === 0 || values.some((v) => typeof v !== 'string'))
    return 'the response names its resource in a malformed way (a string or a non-empty array of strings)';
  const normalised = (values as string[]).map(normal);
  if (normalised.some((v) => v === undefined)) return 'the response names a resource that is not an absolute URI without fragment';
  if (new Set(normalised).size !== normalised.length) return 'the response names a resource twice';
  const allowed = new Set(intended.map(normal).filter((v): v is string => v !== undefined));
  const foreign = (values as string[]).filter((_v, i) => !allowed.has(normalised[i] as string));
  if (foreign.length) return `the token is restricted to ${foreign.join(', ')}, which the agent did not ask for`;
  return undefined;
}

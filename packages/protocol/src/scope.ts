/** RFC 6749 §3.3 scope strings: space-delimited, case-sensitive, order irrelevant. */

export function parseScope(scope: string | undefined | null): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(' ').filter(Boolean))];
}

export function formatScope(scopes: Iterable<string>): string {
  return [...new Set(scopes)].join(' ');
}

/** Scopes in `a` that are also in `b`, in `a`'s order. */
export function intersectScopes(a: readonly string[], b: readonly string[]): string[] {
  const set = new Set(b);
  return a.filter((s) => set.has(s));
}

/** Scopes in `a` that are not in `b`. */
export function scopesMissing(a: readonly string[], b: readonly string[]): string[] {
  const set = new Set(b);
  return a.filter((s) => !set.has(s));
}

/** RFC 6749 §3.3 scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
export function isValidScopeToken(s: string): boolean {
  return /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s);
}

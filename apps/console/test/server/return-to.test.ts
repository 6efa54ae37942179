import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../../src/server/routes/auth.ts';

describe('returnTo after sign-in (no open redirect)', () => {
  it('keeps a path on this origin', () => {
    expect(safeReturnTo('/flows?x=1')).toBe('/flows?x=1');
  });
  it.each(['//evil.example/x', 'https://evil.example', '/auth/callback', 'flows', undefined, 42, '/\\evil.example'])('refuses %s', (v) => {
    expect(safeReturnTo(v)).toBe('/');
  });
});

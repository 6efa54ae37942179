/**
 * The `resource` member of token responses (ID-JAG builds after -04, §4.3.4 and §4.4.2): the agent
 * uses a token only when the returned set is a non-empty subset of what it intended, and discards it
 * otherwise; an absent member is tolerated (draft -04 peers never send it).
 */
import { describe, expect, it } from 'vitest';
import { requestIdJag } from '../../src/legs/id-jag.ts';
import { checkReturnedResource } from '../../src/legs/resource-response.ts';

const R = 'http://localhost:4101/mcp';

describe('checkReturnedResource', () => {
  it.each([
    ['absent', undefined],
    ['the same resource', R],
    ['the same resource in an array', [R]],
    ['the same resource, normalised differently', 'HTTP://LOCALHOST:4101/mcp'],
  ])('accepts %s', (_n, returned) => {
    expect(checkReturnedResource(returned, [R])).toBeUndefined();
  });

  it.each([
    ['another resource', 'http://localhost:4103/mcp', /did not ask for/],
    ['one of two foreign', [R, 'http://evil.test/mcp'], /did not ask for/],
    ['an empty array', [], /malformed/],
    ['a number', 42, /malformed/],
    ['a duplicate', [R, R], /twice/],
    ['a fragment', `${R}#x`, /without fragment/],
    ['a relative URI', '/mcp', /absolute URI/],
  ])('refuses %s', (_n, returned, why) => {
    expect(checkReturnedResource(returned, [R])).toMatch(why);
  });
});

describe('leg 2 discards an ID-JAG whose response names a resource it did not ask for', () => {
  it('returns resource_mismatch instead of the token', async () => {
    const body = {
      issued_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
      access_token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
      token_type: 'N_A',
      resource: 'http://evil.test/mcp',
    };
    const fakeIdp = async () => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    const r = await requestIdJag(fakeIdp, {
      tokenEndpoint: 'http://127.0.0.1:9/token',
      audience: 'http://localhost:4101',
      resource: R,
      idToken: 'x',
      clientId: 'c',
      clientSecret: 's',
    });
    expect(r).toMatchObject({ ok: false, code: 'resource_mismatch' });
  });
});

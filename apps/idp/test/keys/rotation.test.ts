/**
 * Key rotation (docs/decisions.md §4): a new key signs from now on (ID tokens and ID-JAGs alike); the old key
 * stays in the JWKS so tokens it signed keep verifying until they expire.
 */
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

it('rotates ES256 → RS256 without breaking verification of earlier tokens', async () => {
  const tasks = serverOf(t.topology, 'tasks');
  const before = await t.login('alice');
  const oldKid = decodeProtectedHeader(before.id_token).kid;
  const jag1 = String((await t.exchange('acme-agent', { subject_token: before.id_token, audience: tasks.issuer })).body.access_token);
  expect(decodeProtectedHeader(jag1)).toMatchObject({ kid: oldKid, alg: 'ES256' });

  const rotated = await t.admin('POST', '/admin/keys/rotate', { alg: 'RS256' });
  expect(rotated.status).toBe(200);
  expect(rotated.body.current_alg).toBe('RS256');
  expect(rotated.body.keys).toHaveLength(2);
  const newKid = rotated.body.current_kid as string;
  expect(newKid).not.toBe(oldKid);

  const jwks = (await (await fetch(`${t.idp.issuer}/jwks`)).json()) as { keys: Array<{ kid: string; d?: string }> };
  expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
  expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);

  // The ID token signed with the old key is still a valid subject token; the new ID-JAG uses the new key.
  const jag2Res = await t.exchange('acme-agent', { subject_token: before.id_token, audience: tasks.issuer });
  expect(jag2Res.status).toBe(200);
  const jag2 = String(jag2Res.body.access_token);
  expect(decodeProtectedHeader(jag2)).toMatchObject({ kid: newKid, alg: 'RS256' });

  // A resource AS with a fresh JWKS cache verifies both.
  const remote = createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`));
  for (const jag of [jag1, jag2])
    await expect(jwtVerify(jag, remote, { issuer: t.idp.issuer, audience: tasks.issuer, typ: 'oauth-id-jag+jwt' })).resolves.toBeTruthy();

  // oidc-provider signs new ID tokens with the new key too.
  const after = await t.login('bob');
  expect(decodeProtectedHeader(after.id_token)).toMatchObject({ kid: newKid, alg: 'RS256' });
  const discovery = (await (await fetch(`${t.idp.issuer}/.well-known/openid-configuration`)).json()) as { id_token_signing_alg_values_supported: string[] };
  expect(discovery.id_token_signing_alg_values_supported).toContain('RS256');
});

it('refuses an unknown algorithm', async () => {
  const r = await t.admin('POST', '/admin/keys/rotate', { alg: 'HS256' });
  expect(r.status).toBe(400);
  expect(r.body.fields.alg).toBeTruthy();
});

it('drops a retired key from the JWKS once its overlap window has passed', async () => {
  const keys = (await t.admin('GET', '/admin/keys')).body as {
    keys: Array<{ retired_at: number | null; published_until: number | null }>;
    overlap_seconds: number;
  };
  const retired = keys.keys.find((k) => k.retired_at !== null);
  expect(retired?.published_until).toBe((retired?.retired_at as number) + keys.overlap_seconds);
});

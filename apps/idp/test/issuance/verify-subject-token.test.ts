/**
 * verify-subject-token with a frozen clock and hand-made ID tokens signed by the IdP's own key store
 * (draft-04 §4.3.3): each check can fail, with its stable internal code.
 */
import { openDatabase } from '@xaa/node-kit';
import { type OAuthError, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { defaultTopology } from '@xaa/topology';
import { type JWTPayload, SignJWT } from 'jose';
import type Provider from 'oidc-provider';
import { beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStore } from '../../src/db/directory.ts';
import { migrations } from '../../src/db/schema.ts';
import { verifySubjectToken } from '../../src/issuance/verify-subject-token.ts';
import { KeyStore } from '../../src/keys/key-store.ts';
import { seed, seededUserId } from '../../src/seed.ts';

const ISSUER = 'http://idp.test';
const NOW = 1_800_000_000;
const db = openDatabase(':memory:', migrations);
const directory = new DirectoryStore(db, () => NOW * 1000);
const keys = new KeyStore(db, () => NOW * 1000, 3600);
const idp = { issuer: ISSUER, keys, directory };
const provider = {} as Provider;
const alice = seededUserId('alice');

beforeAll(async () => {
  await keys.ensure('ES256');
  await seed(directory, defaultTopology({ dataDir: '/nonexistent' }));
});

async function idToken(claims: JWTPayload, header: Record<string, unknown> = {}) {
  const k = await keys.signingKey();
  return new SignJWT({ iss: ISSUER, sub: alice, aud: 'acme-agent', iat: NOW - 10, exp: NOW + 3600, auth_time: NOW - 20, ...claims })
    .setProtectedHeader({ alg: k.alg, kid: k.kid, ...header })
    .sign(k.key);
}

const verify = (token: string, clientId = 'acme-agent', now = NOW) =>
  verifySubjectToken(idp, provider, { subject_token: token, subject_token_type: TOKEN_TYPE_ID_TOKEN, clientId }, now);

async function failure(p: Promise<unknown>): Promise<OAuthError> {
  try {
    await p;
  } catch (e) {
    return e as OAuthError;
  }
  throw new Error('expected a failure');
}

describe('verifySubjectToken (ID token)', () => {
  it('accepts an ID token of this IdP issued to the calling client', async () => {
    const v = await verify(await idToken({}));
    expect(v).toMatchObject({ kind: 'id_token', authTime: NOW - 20 });
    expect(v.user.username).toBe('alice');
  });

  it.each([
    ['another client (aud)', { aud: 'acme-chat' }, 'ERR_SUBJECT_AUD_MISMATCH'],
    ['several audiences', { aud: ['acme-agent', 'acme-chat'] }, 'ERR_SUBJECT_AUD_MISMATCH'],
    ['azp of another client', { azp: 'acme-chat' }, 'ERR_SUBJECT_AUD_MISMATCH'],
    ['another issuer', { iss: 'http://evil.test' }, 'ERR_SUBJECT_ISS'],
    ['expired beyond skew', { exp: NOW - 31 }, 'ERR_SUBJECT_EXPIRED'],
    ['an unknown user', { sub: 'u_nobody' }, 'ERR_SUBJECT_USER_UNKNOWN'],
  ])('refuses %s with invalid_grant', async (_name, claims, code) => {
    const e = await failure(verify(await idToken(claims as JWTPayload)));
    expect(e.error).toBe('invalid_grant');
    expect(e.code).toBe(code);
  });

  it('accepts exp within the 30 s skew', async () => {
    await expect(verify(await idToken({ exp: NOW - 20 }))).resolves.toBeTruthy();
  });

  it('refuses explicitly typed non-ID tokens (ID-JAG, RFC 9068 access token)', async () => {
    for (const typ of ['oauth-id-jag+jwt', 'at+jwt']) expect((await failure(verify(await idToken({}, { typ })))).code).toBe('ERR_SUBJECT_NOT_ID_TOKEN');
  });

  it('refuses a token signed by another key with the same kid', async () => {
    const other = new KeyStore(openDatabase(':memory:', migrations), () => NOW * 1000, 3600);
    await other.ensure('ES256');
    const k = await other.signingKey();
    const forged = await new SignJWT({ iss: ISSUER, sub: alice, aud: 'acme-agent', iat: NOW, exp: NOW + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: (await keys.signingKey()).kid })
      .sign(k.key);
    expect((await failure(verify(forged))).code).toBe('ERR_SUBJECT_SIGNATURE');
  });

  it('refuses tokens issued before the user’s not_before, and disabled users', async () => {
    directory.updateUser(alice, { not_before: NOW });
    expect((await failure(verify(await idToken({ iat: NOW - 1 })))).code).toBe('ERR_SUBJECT_REVOKED');
    await expect(verify(await idToken({ iat: NOW }))).resolves.toBeTruthy();
    directory.updateUser(alice, { disabled: true });
    expect((await failure(verify(await idToken({ iat: NOW })))).code).toBe('ERR_SUBJECT_USER_DISABLED');
    directory.updateUser(alice, { disabled: false, not_before: 0 });
  });

  it('refuses unsupported subject token types with invalid_request', async () => {
    const e = await failure(verifySubjectToken(idp, provider, { subject_token: 'x', subject_token_type: 'urn:x', clientId: 'acme-agent' }, NOW));
    expect(e.error).toBe('invalid_request');
  });
});

/**
 * The key store's cache of verified subject ID tokens (keys/key-store.ts `verifiedIdTokens`), seen
 * through verify-subject-token with a frozen clock: a repeated token skips only the signature and
 * claim checks; revocation (draft-04 §4.3.3, the user disabled or their sessions ended), expiry and
 * key rotation take effect on the next request, cached or not.
 */
import { openDatabase } from '@xaa/node-kit';
import { type OAuthError, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { defaultTopology } from '@xaa/topology';
import { type JWTPayload, SignJWT } from 'jose';
import type Provider from 'oidc-provider';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaults } from '../../src/config.ts';
import { DirectoryStore } from '../../src/db/directory.ts';
import { migrations } from '../../src/db/schema.ts';
import { verifySubjectToken } from '../../src/issuance/verify-subject-token.ts';
import { KeyStore } from '../../src/keys/key-store.ts';
import { seed, seededUserId } from '../../src/seed.ts';

const ISSUER = 'http://idp.test';
const NOW = 1_800_000_000;
const provider = {} as Provider;
const alice = seededUserId('alice');

let directory: DirectoryStore;
let keys: KeyStore;

beforeEach(async () => {
  const db = openDatabase(':memory:', migrations);
  directory = new DirectoryStore(db, () => NOW * 1000);
  // No overlap: a retired key stops verifying at once, so rotation's effect on the cache shows.
  keys = new KeyStore(db, () => NOW * 1000, 0);
  await keys.ensure('ES256');
  await seed(directory, defaultTopology({ dataDir: '/nonexistent' }));
});

async function idToken(claims: JWTPayload = {}) {
  const k = await keys.signingKey();
  return new SignJWT({ iss: ISSUER, sub: alice, aud: 'acme-agent', iat: NOW - 10, exp: NOW + 600, ...claims })
    .setProtectedHeader({ alg: k.alg, kid: k.kid })
    .sign(k.key);
}

const verify = (token: string, now = NOW, clientId = 'acme-agent') =>
  verifySubjectToken({ issuer: ISSUER, keys, directory }, provider, { subject_token: token, subject_token_type: TOKEN_TYPE_ID_TOKEN, clientId }, now);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as OAuthError).code;
  }
  return undefined;
}

describe('verified subject ID tokens (cache)', () => {
  it('remembers a verified token by its hash, not the token itself', async () => {
    const token = await idToken();
    await verify(token);
    await verify(token);
    expect(keys.verifiedIdTokens.size).toBe(1);
    expect(JSON.stringify([...(keys.verifiedIdTokens as unknown as { entries: Map<string, unknown> }).entries.keys()])).not.toContain(token);
  });

  it('draft-04 §4.3.3: a cached token of a user disabled since is refused at once', async () => {
    const token = await idToken();
    await verify(token);
    directory.updateUser(alice, { disabled: true });
    expect(await code(verify(token))).toBe('ERR_SUBJECT_USER_DISABLED');
  });

  it("draft-04 §4.3.3: a cached token issued before the user's sessions were revoked (not_before) is refused at once", async () => {
    const token = await idToken();
    await verify(token);
    directory.updateUser(alice, { not_before: NOW });
    expect(await code(verify(token))).toBe('ERR_SUBJECT_REVOKED');
  });

  it('key rotation empties the cache; a token whose key is no longer published is refused', async () => {
    const token = await idToken();
    await verify(token);
    expect(keys.verifiedIdTokens.size).toBe(1);
    await keys.rotate();
    expect(keys.verifiedIdTokens.size).toBe(0);
    expect(await code(verify(token))).toBe('ERR_SUBJECT_SIGNATURE');
  });

  it('RFC 7519 §4.1.4: a cached token is not accepted past its exp (beyond the clock skew)', async () => {
    const token = await idToken();
    await verify(token);
    expect(await code(verify(token, NOW + 600 + defaults.clockSkew + 1))).toBe('ERR_SUBJECT_EXPIRED');
  });

  it('draft-04 §4.3.3: a cached token is still bound to the client it was issued to', async () => {
    const token = await idToken();
    await verify(token);
    expect(await code(verify(token, NOW, 'acme-chat'))).toBe('ERR_SUBJECT_AUD_MISMATCH');
  });

  it('a token that failed verification is not cached', async () => {
    expect(await code(verify(await idToken({ iss: 'http://elsewhere.test' })))).toBe('ERR_SUBJECT_ISS');
    expect(keys.verifiedIdTokens.size).toBe(0);
  });
});

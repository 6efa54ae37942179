/**
 * The MCP endpoint's checked-token cache (rs/verified-tokens.ts): the AS puts each access token it
 * signs there, so its first presentation skips the signature check. What must still hold (RFC 9068 §4):
 * only those exact bytes skip it (a token with another signature is verified in full and refused), a
 * token whose claims fail the checks is never put there, and an expired one is refused.
 */
import { openDatabase } from '@xaa/node-kit';
import { errors as joseErrors } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/as/redeem/issue-access-token.ts';
import type { ServerRuntime } from '../../src/context.ts';
import { loadOrCreateKey } from '../../src/db/keys.ts';
import { migrations } from '../../src/db/schema.ts';
import { SettingsStore } from '../../src/db/settings.ts';
import { verifiedAccessToken } from '../../src/rs/verified-tokens.ts';

const ISSUER = 'https://tasks.example';
const RESOURCE = `${ISSUER}/mcp`;

async function runtime(server = 'tasks') {
  const db = openDatabase(':memory:', migrations);
  const clock = { now: Math.floor(Date.now() / 1000) };
  const rt = {
    def: { name: server, issuer: ISSUER, resource: RESOURCE },
    key: await loadOrCreateKey(db, server, clock.now),
    settings: new SettingsStore(db, server),
    nowSeconds: () => clock.now,
    nowMs: () => clock.now * 1000,
  } as unknown as ServerRuntime;
  return { rt, clock };
}

const input = { userId: 'u-1', clientId: 'acme', resource: RESOURCE, scopes: ['tasks.read'], idp: { iss: 'https://idp.example', sub: 's-1' } };

/** The runtime's verification keys replaced by another server's: a signature check now fails. */
async function withOtherVerifyKeys(rt: ServerRuntime) {
  const other = await runtime('docs');
  Object.assign(rt, { key: { ...rt.key, verifyKeys: other.rt.key.verifyKeys, jwks: other.rt.key.jwks } });
}

describe('verifiedAccessToken with the tokens this AS issued', () => {
  it('accepts a token the AS just issued without checking its signature again', async () => {
    const { rt } = await runtime();
    const issued = await issueAccessToken(rt, input);
    await withOtherVerifyKeys(rt);
    const v = await verifiedAccessToken(rt, issued.access_token);
    expect(v.claims).toEqual(issued.claims);
    expect(v.scopes).toEqual(['tasks.read']);
  });

  it('verifies in full a token with the same header and claims but another signature, and refuses it', async () => {
    const { rt } = await runtime();
    const issued = await issueAccessToken(rt, input);
    const other = await runtime('docs');
    const foreign = await issueAccessToken(other.rt, input);
    const [h, p] = issued.access_token.split('.');
    const resigned = `${h}.${p}.${foreign.access_token.split('.')[2]}`;
    await expect(verifiedAccessToken(rt, resigned)).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
    // and a payload edited after signing is not the token the AS issued either
    const edited = `${h}.${Buffer.from(JSON.stringify({ ...issued.claims, scope: 'tasks.read tasks.write' })).toString('base64url')}.${issued.access_token.split('.')[2]}`;
    await expect(verifiedAccessToken(rt, edited)).rejects.toBeInstanceOf(joseErrors.JWSSignatureVerificationFailed);
  });

  it('never keeps a token its claims would fail: one issued for another resource is refused on its audience', async () => {
    const { rt } = await runtime();
    const issued = await issueAccessToken(rt, { ...input, resource: 'https://docs.example/mcp' });
    const failure = await verifiedAccessToken(rt, issued.access_token).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(joseErrors.JWTClaimValidationFailed);
    expect((failure as joseErrors.JWTClaimValidationFailed).claim).toBe('aud');
  });

  it('refuses a token it kept once the token has expired', async () => {
    const { rt, clock } = await runtime();
    const issued = await issueAccessToken(rt, input);
    expect((await verifiedAccessToken(rt, issued.access_token)).claims.jti).toBe(issued.claims.jti);
    clock.now = (issued.claims.exp as number) + 60;
    await expect(verifiedAccessToken(rt, issued.access_token)).rejects.toBeInstanceOf(joseErrors.JWTExpired);
  });

  it('keeps tokens per server: another server with the same key material still checks the signature', async () => {
    const { rt } = await runtime();
    const issued = await issueAccessToken(rt, input);
    const twin = { ...rt } as ServerRuntime;
    await withOtherVerifyKeys(twin);
    await expect(verifiedAccessToken(twin, issued.access_token)).rejects.toBeInstanceOf(joseErrors.JWKSNoMatchingKey);
  });
});

/**
 * A trusted IdP's keys as the ID-JAG verifier sees them (db/trust.ts): signatures are checked with
 * Node's crypto on the keys jose fetched, and the fast path never outlives jose's view of the IdP's
 * JWKS: a key the IdP stops publishing is refused once the cached set is older than its max age
 * (RFC 7517 §5, EMA §7.4.1 key rotation), and a new key is picked up through jose's refetch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '@xaa/node-kit';
import { type CryptoKey, createRemoteJWKSet, exportJWK, generateKeyPair, type JWK, type JWKSCacheInput, jwksCache, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaults } from '../../src/config.ts';
import { migrations } from '../../src/db/schema.ts';
import { nodeKeys, TrustStore } from '../../src/db/trust.ts';

let server: Server;
let issuer: string;
let published: JWK[] = [];
let fetches = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/jwks') return void res.writeHead(404).end();
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
afterEach(() => vi.useRealTimers());

async function key(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } as JWK };
}

function store() {
  const trust = new TrustStore(openDatabase(':memory:', migrations), 'tasks', () => Math.floor(Date.now() / 1000));
  trust.add({ issuer, jwks_uri: `${issuer}/jwks`, algorithms: ['ES256'] });
  const trusted = trust.trustedIssuers()[0];
  if (!trusted?.jwtVerify) throw new Error('no trusted issuer with a verifier');
  const verify = trusted.jwtVerify;
  return (token: string) => verify(token, trusted.jwks, { issuer, algorithms: ['ES256'], currentDate: new Date() });
}

const sign = (k: { kid: string; privateKey: CryptoKey }) =>
  new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: 'ES256', kid: k.kid }).setIssuer(issuer).setIssuedAt().setExpirationTime('5m').sign(k.privateKey);

async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('trusted issuer keys (Node crypto on jose’s key set)', () => {
  it('fetches the JWKS once and verifies every later token without jose’s key lookup', async () => {
    const k1 = await key('k1');
    published = [k1.jwk];
    fetches = 0;
    const verify = store();
    for (let i = 0; i < 3; i++) expect((await verify(await sign(k1))).payload.sub).toBe('u1');
    expect(fetches).toBe(1);
  });

  it('a key the IdP no longer publishes is refused once the cached key set is older than its max age', async () => {
    const k1 = await key('k1');
    published = [k1.jwk];
    const verify = store();
    const token = await sign(k1);
    await verify(token);
    published = [];
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + defaults.jwksCacheMaxAgeMs + 1_000);
    expect(await refusal(verify(token))).toBe('ERR_JWKS_NO_MATCHING_KEY');
  });

  it('a key the IdP publishes later (rotation) is accepted after jose refetches the set', async () => {
    const k1 = await key('k1');
    const k2 = await key('k2');
    published = [k1.jwk];
    const verify = store();
    await verify(await sign(k1));
    published = [k1.jwk, k2.jwk];
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + defaults.jwksCooldownMs + 1_000);
    expect((await verify(await sign(k2))).payload.sub).toBe('u1');
    expect((await verify(await sign(k1))).payload.sub).toBe('u1');
  });

  it('a key the IdP dropped is refused as soon as jose refetched the set, within its max age', async () => {
    const [k1, k2, k3] = [await key('k1'), await key('k2'), await key('k3')];
    published = [k1.jwk, k2.jwk];
    const verify = store();
    const old = await sign(k1);
    expect((await verify(old)).payload.sub).toBe('u1');
    published = [k2.jwk, k3.jwk];
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + defaults.jwksCooldownMs + 1_000);
    // The unknown kid k3 makes jose refetch: k3 is in, k1 is out.
    expect((await verify(await sign(k3))).payload.sub).toBe('u1');
    expect(await refusal(verify(old))).toBe('ERR_JWKS_NO_MATCHING_KEY');
  });
});

describe('nodeKeys (KeyObjects of the set jose fetched)', () => {
  it('imports a fetched set once, and again only when jose fetched a new one', async () => {
    const [k1, k2] = [await key('k1'), await key('k2')];
    published = [k1.jwk];
    const cache: JWKSCacheInput = {};
    const remote = createRemoteJWKSet(new URL(`${issuer}/jwks`), { cacheMaxAge: defaults.jwksCacheMaxAgeMs, [jwksCache]: cache });
    const keys = nodeKeys(remote, cache);
    expect(keys()).toBeUndefined();
    await remote.reload();
    const first = keys();
    expect(first?.map((k) => k.kid)).toEqual(['k1']);
    expect(keys()).toBe(first);
    published = [k2.jwk];
    await remote.reload();
    expect(keys()?.map((k) => k.kid)).toEqual(['k2']);
  });

  it('none once jose’s copy is older than its max age', async () => {
    published = [(await key('k1')).jwk];
    const cache: JWKSCacheInput = {};
    const remote = createRemoteJWKSet(new URL(`${issuer}/jwks`), { cacheMaxAge: defaults.jwksCacheMaxAgeMs, [jwksCache]: cache });
    const keys = nodeKeys(remote, cache);
    await remote.reload();
    expect(keys()).toHaveLength(1);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + defaults.jwksCacheMaxAgeMs + 1_000);
    expect(keys()).toBeUndefined();
  });
});

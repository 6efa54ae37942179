/**
 * oidc-provider's per-request AsyncLocalStorage, turned off by `withoutRequestStorage` only for
 * configurations that cannot read it (src/oidc-host/request-storage.ts): the reviewed readers in the
 * installed oidc-provider, the configurations refused, and a real provider before and after.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, expect, it } from 'vitest';
import { hostProvider, registerGrant, requestStorageReaders, withoutRequestStorage } from '../../src/oidc-host.ts';
import { listen, type RunningServer } from '../../src/server.ts';

const lib = dirname(createRequire(import.meta.url).resolve('oidc-provider'));

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

it('knows every place the installed oidc-provider reads its per-request store', () => {
  const readers = jsFiles(lib)
    .filter((f) => /\bals\.getStore\(\)/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(lib, f).split('\\').join('/'))
    .sort();
  // A new reader after an upgrade: review it in src/oidc-host/request-storage.ts, then list it here.
  expect(readers).toEqual([
    'helpers/client_id_metadata_document.js',
    'models/base_token.js',
    'models/formats/jwt.js',
    'models/formats/opaque.js',
    'provider.js',
  ]);
  // The store is entered in exactly one place, the one `withoutRequestStorage` turns off.
  const entered = jsFiles(lib).filter((f) => /\bals\.(run|enterWith)\(/.test(readFileSync(f, 'utf8')));
  expect(entered.map((f) => relative(lib, f).split('\\').join('/'))).toEqual(['helpers/initialize_app.js']);
});

it('refuses a configuration that reads the request through the store', () => {
  const fine: Configuration = { ttl: { RefreshToken: 60 } };
  expect(requestStorageReaders(fine)).toEqual([]);
  const cases: Array<[Configuration, RegExp]> = [
    [{ ttl: { RefreshToken: 60 }, features: { clientIdMetadataDocument: { enabled: true } } } as Configuration, /clientIdMetadataDocument/],
    [{ ttl: { RefreshToken: 60 }, formats: { customizers: { jwt: async () => {} } } } as Configuration, /customizers\.jwt/],
    [{ ttl: { RefreshToken: 60 }, subjectTypes: ['public', 'pairwise'] }, /pairwise/],
    [{}, /ttl\.RefreshToken/],
    [{ ttl: { RefreshToken: 60 }, features: { ciba: { enabled: true } } } as Configuration, /BackchannelAuthenticationRequest/],
  ];
  for (const [configuration, reason] of cases) {
    expect(requestStorageReaders(configuration).join('; ')).toMatch(reason);
    expect(() => withoutRequestStorage(configuration)).toThrow(reason);
  }
});

const GRANT = 'urn:example:params:oauth:grant-type:storage';
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

/** A provider whose grant handler reports what `Provider.ctx` (the store) holds while it runs. */
async function providerSeeing(configure: (c: Configuration) => Configuration) {
  const seen: Array<{ store: unknown; ctx: unknown; client: unknown }> = [];
  const provider = new Provider(
    'http://127.0.0.1',
    configure({
      clients: [{ client_id: 'app', client_secret: 'app-secret', grant_types: [GRANT], response_types: [], redirect_uris: [] }],
      ttl: { RefreshToken: 60 },
    }),
  );
  hostProvider(provider, { realm: 'http://127.0.0.1', label: 'test' });
  registerGrant(provider, {
    grantType: GRANT,
    parameters: [],
    handler: async (ctx: KoaContextWithOIDC) => {
      await Promise.resolve();
      seen.push({ store: Provider.ctx, ctx, client: ctx.oidc.client?.clientId });
      ctx.body = { access_token: 'x', token_type: 'N_A' };
    },
  });
  const server = await listen(provider.callback() as never, 0, '127.0.0.1', 'test');
  servers.push(server);
  const res = await fetch(`http://127.0.0.1:${server.port}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('app:app-secret').toString('base64')}` },
    body: `grant_type=${encodeURIComponent(GRANT)}`,
  });
  expect(res.status).toBe(200);
  expect(seen).toHaveLength(1);
  return seen[0] as { store: unknown; ctx: unknown; client: unknown };
}

it('leaves the store empty once a checked configuration turns it off, and the request is served as before', async () => {
  // Before: oidc-provider's own behaviour, the request's context in the store.
  const before = await providerSeeing((c) => c);
  expect(before.store).toBe(before.ctx);
  expect(before.client).toBe('app');
  // After (for this thread): the same request, the same answer, nothing in the store.
  const after = await providerSeeing(withoutRequestStorage);
  expect(after.store).toBeUndefined();
  expect(after.client).toBe('app');
});

/**
 * `reuseClientsByPayload` (installed by `hostProvider`): a client adapter that hands back the same
 * payload object gets the same oidc-provider `Client` without oidc-provider rebuilding or rehashing
 * it, and a changed client — a new payload object — is what the next request sees: a rotated secret
 * (RFC 6749 §2.3.1), a removed grant type (RFC 6749 §5.2 unauthorized_client), a deleted client
 * (invalid_client), all at once.
 */
import Provider, { type AdapterPayload, type KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientRecordsAdapter, hostProvider, registerGrant } from '../../src/oidc-host.ts';
import { listen, type RunningServer } from '../../src/server.ts';

const GRANT = 'urn:example:params:oauth:grant-type:test';

/** Client records in memory; `put` replaces a record's payload object, as a store's write does. */
class Records extends ClientRecordsAdapter {
  readonly payloads = new Map<string, AdapterPayload>();
  finds = 0;
  async find(id: string) {
    this.finds++;
    return this.payloads.get(id);
  }
  async upsert(): Promise<void> {}
  put(id: string, secret: string, grant: 'test' | 'code' = 'test') {
    this.payloads.set(
      id,
      grant === 'test'
        ? { client_id: id, client_secret: secret, grant_types: [GRANT], response_types: [], redirect_uris: [] }
        : { client_id: id, client_secret: secret, grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: ['http://127.0.0.1/cb'] },
    );
  }
}

const records = new Records();
let server: RunningServer;
let url: string;
let provider: Provider;

beforeAll(async () => {
  records.put('app', 'first-secret');
  provider = new Provider('http://127.0.0.1', { adapter: (name: string) => (name === 'Client' ? records : (undefined as never)) });
  hostProvider(provider, { realm: 'http://127.0.0.1', label: 'test' });
  registerGrant(provider, {
    grantType: GRANT,
    parameters: [],
    handler: async (ctx: KoaContextWithOIDC) => {
      ctx.body = { access_token: String(ctx.oidc.client?.clientId), token_type: 'N_A' };
    },
  });
  server = await listen(provider.callback() as never, 0, '127.0.0.1', 'test');
  url = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await server?.close();
});

async function token(id: string, secret: string) {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
    body: `grant_type=${encodeURIComponent(GRANT)}`,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('reuseClientsByPayload', () => {
  it('the same payload object gives the same Client, the adapter read once per lookup', async () => {
    const first = await provider.Client.find('app');
    records.finds = 0;
    const again = await provider.Client.find('app');
    expect(again).toBe(first);
    // A miss reads the adapter twice (here, then in oidc-provider's own find); a reuse once.
    expect(records.finds).toBe(1);
  });

  it('a rotated secret applies to the next request: the old one is invalid_client', async () => {
    expect((await token('app', 'first-secret')).status).toBe(200);
    records.put('app', 'second-secret');
    const old = await token('app', 'first-secret');
    expect(old.status).toBe(401);
    expect(old.body.error).toBe('invalid_client');
    expect((await token('app', 'second-secret')).status).toBe(200);
  });

  it('a grant type taken away applies at once (unauthorized_client)', async () => {
    records.put('app', 'second-secret', 'code');
    const r = await token('app', 'second-secret');
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('unauthorized_client');
    records.put('app', 'second-secret');
    expect((await token('app', 'second-secret')).status).toBe(200);
  });

  it('a deleted client is gone for the next request', async () => {
    expect((await token('app', 'second-secret')).status).toBe(200);
    records.payloads.delete('app');
    expect((await token('app', 'second-secret')).body.error).toBe('invalid_client');
    expect(await provider.Client.find('app')).toBeUndefined();
  });

  it("a new payload object with equal metadata takes oidc-provider's own path to the equal Client", async () => {
    records.put('app', 'third-secret');
    const a = await provider.Client.find('app');
    records.put('app', 'third-secret');
    const b = await provider.Client.find('app');
    expect(b?.clientSecret).toBe('third-secret');
    expect(b).toBe(a);
  });
});

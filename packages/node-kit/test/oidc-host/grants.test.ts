/**
 * The host kit's token endpoint on a real oidc-provider: one grant module registered through
 * `registerGrant`, every refusal an RFC 6749 §5.2 body with `Cache-Control: no-store`, the extra
 * parameters an OAuthError carries on the wire (draft-04 §9.2 `max_age`), unknown failures a generic
 * `server_error`, and oidc-provider's own refusals reshaped from its error classes.
 */
import { InsufficientUserAuthentication, InvalidGrant, TemporarilyUnavailable } from '@xaa/protocol';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostProvider, type ProviderErrorLike, registerGrant } from '../../src/oidc-host.ts';
import { listen, type RunningServer } from '../../src/server.ts';

const GRANT = 'urn:example:params:oauth:grant-type:test';

let server: RunningServer;
let url: string;
const handled: string[] = [];
const before: { error: string | undefined }[] = [];
const other: { grantType: string | undefined; error: string | undefined }[] = [];
const logged: unknown[][] = [];
let consoleError: typeof console.error;

beforeAll(async () => {
  consoleError = console.error;
  console.error = (...args: unknown[]) => {
    logged.push(args);
  };
  const provider = new Provider('http://127.0.0.1', {
    clients: [
      { client_id: 'app', client_secret: 'app-secret', grant_types: [GRANT], response_types: [], redirect_uris: [] },
      { client_id: 'web', client_secret: 'web-secret', grant_types: ['authorization_code'], response_types: ['code'], redirect_uris: ['http://127.0.0.1/cb'] },
    ],
  });
  hostProvider(provider, {
    realm: 'http://127.0.0.1',
    label: 'test',
    onOtherGrantError: (_ctx, err, grantType) => other.push({ grantType, error: err.error }),
  });
  registerGrant(provider, {
    grantType: GRANT,
    parameters: ['mode'],
    handler: async (ctx: KoaContextWithOIDC) => {
      const mode = String(ctx.oidc.params?.mode);
      handled.push(mode);
      if (mode === 'step-up') throw new InsufficientUserAuthentication('Sign in again.', { params: { max_age: 60 } });
      if (mode === 'refuse') throw new InvalidGrant('The thing is not valid.', { code: 'ERR_SUBJECT_MALFORMED' });
      if (mode === 'crash') throw new Error('secret internal detail');
      if (mode === 'busy') throw new TemporarilyUnavailable('Try again shortly.');
      ctx.body = { access_token: 'x', token_type: 'N_A' };
    },
    refusedBeforeHandler: (_ctx: KoaContextWithOIDC, err: ProviderErrorLike) => before.push({ error: err.error }),
  });
  server = await listen(provider.callback() as never, 0, '127.0.0.1', 'test');
  url = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  console.error = consoleError;
  await server?.close();
});

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function token(body: string, auth?: string) {
  const res = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...(auth ? { authorization: auth } : {}) },
    body,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

describe('registerGrant: one path from OAuthError to the wire (RFC 6749 §5.2)', () => {
  it('a handler answers for itself', async () => {
    const r = await token(`grant_type=${encodeURIComponent(GRANT)}&mode=ok`, basic('app', 'app-secret'));
    expect(r.status).toBe(200);
    expect(r.body.access_token).toBe('x');
  });

  it('an OAuthError becomes its code, status and description, no-store', async () => {
    const r = await token(`grant_type=${encodeURIComponent(GRANT)}&mode=refuse`, basic('app', 'app-secret'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'invalid_grant', error_description: 'The thing is not valid.' });
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('the extra parameters an OAuthError carries reach the body (draft-04 §9.2 max_age)', async () => {
    const r = await token(`grant_type=${encodeURIComponent(GRANT)}&mode=step-up`, basic('app', 'app-secret'));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'insufficient_user_authentication', error_description: 'Sign in again.', max_age: 60 });
  });

  it('a 5xx OAuthError keeps its own code and description (temporarily_unavailable, RFC 6749 §5.2)', async () => {
    const r = await token(`grant_type=${encodeURIComponent(GRANT)}&mode=busy`, basic('app', 'app-secret'));
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: 'temporarily_unavailable', error_description: 'Try again shortly.' });
  });

  it('anything else is a 500 server_error without its message, logged once', async () => {
    logged.length = 0;
    const r = await token(`grant_type=${encodeURIComponent(GRANT)}&mode=crash`, basic('app', 'app-secret'));
    expect(r.status).toBe(500);
    expect(r.body.error).toBe('server_error');
    expect(JSON.stringify(r.body)).not.toContain('secret internal detail');
    expect(logged).toHaveLength(1);
    expect(String(logged[0]?.[0])).toBe('[test] server_error:');
  });
});

describe("oidc-provider's own refusals, reshaped from its error classes", () => {
  it('no client authentication at all: 401 invalid_client with a Basic challenge, reported once as refused before the handler', async () => {
    before.length = 0;
    handled.length = 0;
    const r = await token(`grant_type=${encodeURIComponent(GRANT)}&mode=ok`);
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="http://127.0.0.1"');
    expect(before).toEqual([{ error: 'invalid_client' }]);
    expect(handled).toEqual([]);
  });

  it('a client not registered for the grant type: unauthorized_client', async () => {
    before.length = 0;
    const r = await token(`grant_type=${encodeURIComponent(GRANT)}&mode=ok`, basic('web', 'web-secret'));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('unauthorized_client');
    expect(before).toHaveLength(1);
  });

  it('a duplicated parameter never reaches the handler', async () => {
    before.length = 0;
    handled.length = 0;
    const r = await token(`grant_type=${encodeURIComponent(GRANT)}&mode=ok&mode=ok`, basic('app', 'app-secret'));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
    expect(handled).toEqual([]);
    expect(before).toEqual([{ error: 'invalid_request' }]);
  });

  it("a refusal for a grant no module owns goes to the host's onOtherGrantError", async () => {
    other.length = 0;
    const r = await token('grant_type=authorization_code&code=nope&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb', basic('web', 'web-secret'));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_grant');
    expect(other).toEqual([{ grantType: 'authorization_code', error: 'invalid_grant' }]);
  });
});

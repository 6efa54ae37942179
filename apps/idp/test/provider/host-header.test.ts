/** A Host header that names no host (RFC 9110 §7.2) is a 400 at every IdP path, never a 500. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIdp, type TestIdp } from '../support/idp.ts';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startTestIdp();
});
afterAll(async () => {
  await idp?.close();
});

function get(path: string, host: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const u = new URL(path, idp.idp.issuer);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: '127.0.0.1', port: u.port, path: u.pathname, method, setHost: false, headers: { host } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host header', () => {
  it.each(['#{', "' OR 1=1", '[::1', 'a b'])('%s → 400 at discovery, JWKS, the token endpoint and the admin API', async (host) => {
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/admin/users']) {
      const r = await get(path, host);
      expect(r.status, path).toBe(400);
      expect(JSON.parse(r.body).error).toBe('invalid_request');
    }
    // The token endpoint too (its requests skip the routes in front of oidc-provider, not this check).
    const r = await get('/token', host, 'POST');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toBe('invalid_request');
  });

  it('the issuer’s own host still works', async () => {
    expect((await get('/.well-known/openid-configuration', new URL(idp.idp.issuer).host)).status).toBe(200);
  });
});

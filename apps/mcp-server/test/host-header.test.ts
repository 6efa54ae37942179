/** A Host header that names no host (RFC 9110 §7.2) is a 400 at every path of a server origin, never a 500. */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ idp: false });
});
afterAll(async () => {
  await stack?.close();
});

function send(url: string, host: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: '127.0.0.1',
        port: u.port,
        path: u.pathname,
        method,
        setHost: false,
        headers: { host, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('Host header', () => {
  const registration = JSON.stringify({ redirect_uris: ['http://127.0.0.1:9/cb'], token_endpoint_auth_method: 'none' });

  it.each(["' OR 1=1", 'x; y; z=;;;', '[::1', 'a b'])('%s → 400 at dynamic client registration and metadata', async (host) => {
    const crm = stack.topology.servers.find((s) => s.name === 'crm');
    const reg = await send(`${crm?.issuer}/register`, host, 'POST', registration);
    expect(reg.status).toBe(400);
    expect(JSON.parse(reg.body).error).toBe('invalid_request');
    expect((await send(`${crm?.issuer}/.well-known/oauth-authorization-server`, host)).status).toBe(400);
  });

  it('the origin’s own host still works', async () => {
    const crm = stack.topology.servers.find((s) => s.name === 'crm');
    expect((await send(`${crm?.issuer}/register`, new URL(crm?.issuer ?? '').host, 'POST', registration)).status).toBe(201);
  });

  it('a bad host right after a good one is still refused, and the good one still works after it', async () => {
    const crm = stack.topology.servers.find((s) => s.name === 'crm');
    const metadata = `${crm?.issuer}/.well-known/oauth-authorization-server`;
    const good = new URL(crm?.issuer ?? '').host;
    expect((await send(metadata, good)).status).toBe(200);
    expect((await send(metadata, 'a b')).status).toBe(400);
    expect((await send(metadata, good)).status).toBe(200);
    expect((await send(metadata, `${good}; x`)).status).toBe(400);
  });
});

/**
 * Outbound fetches of client-named URLs (RFC 9700 §4.15, SSRF): http(s) only, link-local and cloud
 * metadata never (IPv4-mapped forms included), loopback/private only when allowed, the resolved
 * address checked, redirects not followed, size and time capped. Real sockets on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAddress, listensPrivately, OutboundRefused, outboundFetch } from '../src/outbound.ts';

let server: Server;
let base: string;
let hits = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    if (req.url === '/redirect') return res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/big') return res.end('x'.repeat(10_000));
    if (req.url === '/slow') return setTimeout(() => res.end('late'), 2_000).unref();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('classifyAddress', () => {
  it.each([
    '169.254.169.254',
    '169.254.0.1',
    'fe80::1',
    'FE80::abcd',
    'febf:ffff::1',
    'fd00:ec2::254',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    '0:0:0:0:0:ffff:a9fe:a9fe',
    '64:ff9b::169.254.169.254',
    '::169.254.169.254',
    '0.0.0.0',
    '::',
    '224.0.0.1',
    '255.255.255.255',
    'ff02::1',
    'not-an-ip',
  ])('%s is never reached', (ip) => expect(classifyAddress(ip)).toBe('forbidden'));
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '::1',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    'fd12::1',
    'fc00::1',
  ])('%s is private (reached only when allowed)', (ip) => expect(classifyAddress(ip)).toBe('private'));
  it.each(['8.8.8.8', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8'])('%s is public', (ip) => expect(classifyAddress(ip)).toBe('public'));
  it('the playground listens privately on loopback and private addresses, not on a public one', () => {
    expect(listensPrivately('127.0.0.1')).toBe(true);
    expect(listensPrivately('localhost')).toBe(true);
    expect(listensPrivately('::1')).toBe(true);
    expect(listensPrivately('0.0.0.0')).toBe(true);
    expect(listensPrivately('203.0.113.7')).toBe(false);
  });
});

describe('outboundFetch', () => {
  const open = outboundFetch({ allowPrivate: true, timeoutMs: 500, maxBytes: 1024 });
  const strict = outboundFetch({ allowPrivate: false, timeoutMs: 500, maxBytes: 1024 });

  it('fetches a loopback URL when private addresses are allowed', async () => {
    const r = await open(`${base}/jwks`, { headers: { accept: 'application/json' } });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ keys: [] });
  });

  it('refuses loopback when they are not, also by a host name that resolves there (checked after DNS)', async () => {
    const before = hits;
    await expect(strict(`${base}/jwks`)).rejects.toBeInstanceOf(OutboundRefused);
    await expect(strict(base.replace('127.0.0.1', 'localhost'))).rejects.toThrow(/resolves to/);
    expect(hits).toBe(before);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://[::ffff:a9fe:a9fe]/',
    'http://[fe80::1]/',
    'http://[fd00:ec2::254]/',
    'http://2852039166/',
    'http://0xa9.0xfe.0xa9.0xfe/',
    'http://0.0.0.0/',
  ])('never reaches %s, even when private addresses are allowed', async (url) => {
    await expect(open(url)).rejects.toBeInstanceOf(OutboundRefused);
  });

  it.each(['file:///etc/passwd', 'ftp://127.0.0.1/', 'data:application/json,{}', 'http://user:pw@127.0.0.1/'])('refuses %s', async (url) => {
    await expect(open(url)).rejects.toBeInstanceOf(OutboundRefused);
  });

  it('does not follow redirects: the 3xx comes back as is', async () => {
    const r = await open(`${base}/redirect`);
    expect(r.status).toBe(302);
  });

  it('caps the size and the time', async () => {
    await expect(open(`${base}/big`)).rejects.toThrow(/larger than 1024/);
    const t0 = Date.now();
    await expect(open(`${base}/slow`)).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(1_500);
  });
});

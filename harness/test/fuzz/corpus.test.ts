import { describe, expect, it } from 'vitest';
import { type EndpointSpec, endpointCorpus, randomCorpus, reflectsMarker } from '../../src/fuzz/corpus.ts';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = `${b64({ alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: 'k1' })}.${b64({ iss: 'http://127.0.0.1:1', sub: 'u', exp: 1 })}.${b64('sig')}`;

const token: EndpointSpec = {
  name: 'as token',
  app: 'as',
  origin: 'http://127.0.0.1:1',
  method: 'POST',
  path: '/token',
  kind: 'form',
  params: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt, scope: 'a b' },
  headers: { authorization: 'Basic eDp5' },
  jwtParams: ['assertion'],
};
const admin: EndpointSpec = {
  name: 'admin put',
  app: 'idp',
  origin: 'http://127.0.0.1:1',
  method: 'PUT',
  path: '/admin/x',
  kind: 'json',
  json: { enabled: true, scopes: ['a'] },
};

describe('malformed-input corpus', () => {
  it('is the same for the same seed and differs for another seed', () => {
    const a = endpointCorpus(token, { jwts: {} }, 200, 7);
    const b = endpointCorpus(token, { jwts: {} }, 200, 7);
    const c = endpointCorpus(token, { jwts: {} }, 200, 8);
    expect(a.map((r) => [r.mutation, r.url, r.body?.toString('base64')])).toEqual(b.map((r) => [r.mutation, r.url, r.body?.toString('base64')]));
    expect(a.map((r) => r.mutation)).not.toEqual(c.map((r) => r.mutation));
  });

  it('covers the structure-aware mutation families', () => {
    const reqs = [...endpointCorpus(token, { jwts: {} }, 1500, 1), ...endpointCorpus(admin, { jwts: {} }, 800, 2)];
    const hows = reqs.map((r) => r.mutation).join('\n');
    for (const family of [
      'assertion: jwt truncated',
      'assertion: jwt alg none',
      'duplicated',
      'dropped',
      'JSON body as',
      'content-type',
      'huge',
      'unicode',
      'sql',
      'html',
      'authorization',
      'path +',
      'method',
      'body __proto__',
      'body deep',
      'form body where JSON is expected',
      'invalid utf-8',
    ])
      expect(hows, family).toContain(family);
  });

  it('numbers requests and marks HTML payloads with a unique marker', () => {
    const reqs = endpointCorpus(token, { jwts: {} }, 600, 3, 1000);
    expect(reqs[0]?.index).toBe(1000);
    const marked = reqs.filter((r) => r.markers.length);
    expect(marked.length).toBeGreaterThan(5);
    for (const r of marked) {
      const m = r.markers[0] as string;
      expect(m).toBe(`<xp-${r.index}>`);
      const where = `${decodeURIComponent(r.url)}${r.body?.toString('utf8') ?? ''}${JSON.stringify(r.headers)}`;
      expect(where.includes(m) || decodeURIComponent(new URLSearchParams(r.body?.toString() ?? '').toString()).includes(m) || where.includes('xp-')).toBe(true);
    }
  });

  it('sends only header values the HTTP layer accepts (latin-1, no CR/LF)', () => {
    for (const r of [...endpointCorpus(token, { jwts: {} }, 1000, 4), ...randomCorpus('http://127.0.0.1:1', 'x', 300, 5)])
      for (const v of Object.values(r.headers).flat())
        expect([...v].some((ch) => ch === '\r' || ch === '\n' || ch.charCodeAt(0) === 0 || ch.charCodeAt(0) > 0xff)).toBe(false);
  });

  it('detects a reflected marker and ignores an escaped one', () => {
    expect(reflectsMarker('<p>hello <xp-12> there</p>', ['<xp-12>'])).toBe('<xp-12>');
    expect(reflectsMarker('<p>hello &lt;xp-12&gt;</p>', ['<xp-12>'])).toBeUndefined();
  });
});

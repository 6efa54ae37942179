/**
 * The malformed-input corpus: for every endpoint, requests derived from a valid template by one
 * structure-aware mutation (a truncated or re-signed JWT, a duplicated parameter, JSON where a form is
 * expected, a wrong content type, a huge value, unicode, SQL and HTML fragments…) plus purely random
 * requests. Generated with fast-check from one seed, so a failing request reproduces from
 * `(seed, endpoint, index)` alone.
 *
 * Every HTML-ish payload carries a unique marker `<xp-N>`; a text/html response that contains a
 * marker verbatim reflected input unescaped.
 */
import fc from 'fast-check';

export type BodyKind = 'form' | 'json' | 'jsonrpc' | 'query' | 'none';

export interface EndpointSpec {
  /** Stable name, e.g. `idp token` or `tasks admin PUT settings`. */
  name: string;
  /** Which app answers (for the report). */
  app: string;
  origin: string;
  method: string;
  /** Path (no query). */
  path: string;
  kind: BodyKind;
  /** A valid parameter set (form or query) or JSON body for the template request. */
  params?: Record<string, string>;
  json?: unknown;
  /** Headers of the template request (valid authentication and the like). */
  headers?: Record<string, string>;
  /** Names of parameters whose values are JWTs (mutated structure-aware). */
  jwtParams?: string[];
}

export interface FuzzRequest {
  endpoint: string;
  app: string;
  index: number;
  mutation: string;
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Markers this request carries (see module comment). */
  markers: string[];
}

const MARK = '\u0000MARK\u0000';

export const SQL = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1; SELECT sqlite_version(); --',
  "admin'--",
  "' UNION SELECT name, sql FROM sqlite_master --",
  '%27%20OR%201=1',
  '\\',
  "'",
  '?',
  ':id',
  '$1',
];

export const HTML = [
  `<script>alert(1)</script>${MARK}`,
  `"><${MARK}`,
  `'><svg onload=alert(1)>${MARK}`,
  `javascript:alert(1)//${MARK}`,
  `</textarea></title></style>${MARK}`,
  `<img src=x onerror=alert(1)>${MARK}`,
  `{{constructor.constructor('alert(1)')()}}${MARK}`,
  `<!--${MARK}-->`,
  `&lt;${MARK}&#x3c;`,
];

export const UNICODE = [
  '\u202eevil\u202c',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  'ｅｘａｍｐｌｅ',
  'e\u0301',
  '🔥'.repeat(50),
  '\u2028\u2029',
  '\ufeffbom',
  'ä',
  '𝕏𝔸𝔸',
  '\r\nX-Injected: 1',
  '%00',
  '%E0%A4%A',
  '%C0%AF',
  '..%2f..%2f..%2fetc%2fpasswd',
  '../../../../etc/passwd',
];

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** Structure-aware JWT mutations of a real token (`base`, may be empty when none is at hand). */
export function jwtArb(base: string): fc.Arbitrary<{ how: string; value: string }> {
  const parts = base.split('.');
  const [h = b64u('{"alg":"ES256"}'), p = b64u('{}'), s = ''] = parts;
  let header: Record<string, unknown> = {};
  let payload: Record<string, unknown> = {};
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
  } catch {
    // an opaque template: the mutations below still apply
  }
  const reheader = (hh: Record<string, unknown>) => `${b64u(JSON.stringify(hh))}.${p}.${s}`;
  const repayload = (pp: Record<string, unknown>) => `${h}.${b64u(JSON.stringify(pp))}.${s}`;
  const cut = fc.nat({ max: Math.max(1, base.length - 1) });
  return fc.oneof(
    cut.map((n) => ({ how: 'jwt truncated', value: base.slice(0, n) })),
    fc.constant({ how: 'jwt unsigned', value: `${h}.${p}.` }),
    fc.constant({ how: 'jwt alg none', value: `${b64u(JSON.stringify({ ...header, alg: 'none' }))}.${p}.` }),
    fc.constantFrom('HS256', 'none', 'RS256', 'ES512', 'EdDSA', '', 'NONE').map((alg) => ({ how: `jwt alg ${alg}`, value: reheader({ ...header, alg }) })),
    fc.constantFrom('JWT', 'at+jwt', 'oauth-id-jag+jwt', 'id-jag', '', 'jwt').map((typ) => ({ how: `jwt typ ${typ}`, value: reheader({ ...header, typ }) })),
    fc
      .constantFrom('../../etc/passwd', `x${'k'.repeat(5000)}`, "' OR 1=1 --", '', 'http://127.0.0.1:1/jwks')
      .map((kid) => ({ how: 'jwt kid', value: reheader({ ...header, kid }) })),
    fc.constant({ how: 'jwt jku', value: reheader({ ...header, jku: 'http://127.0.0.1:9/jwks.json', x5u: 'http://127.0.0.1:9/c.pem' }) }),
    fc.constant({ how: 'jwt embedded jwk', value: reheader({ ...header, jwk: { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'BBBB' } }) }),
    fc
      .record({
        key: fc.constantFrom('exp', 'iat', 'nbf', 'aud', 'iss', 'sub', 'jti', 'client_id', 'scope', 'resource', 'email'),
        value: fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 })),
      })
      .map(({ key, value }) => ({ how: `jwt claim ${key}`, value: repayload({ ...payload, [key]: value }) })),
    fc.constant({ how: 'jwt payload not json', value: `${h}.${b64u('not json')}.${s}` }),
    fc.constant({ how: 'jwt payload array', value: `${h}.${b64u('[1,2]')}.${s}` }),
    fc.constant({ how: 'jwt header not json', value: `${b64u('{"alg":')}.${p}.${s}` }),
    fc.constant({ how: 'jwt standard base64', value: `${Buffer.from(JSON.stringify(header)).toString('base64')}.${p}.${s}+/==` }),
    fc.constant({ how: 'jwt bad chars', value: `${h}!.${p}$.${s}*` }),
    fc.constantFrom(2, 4, 5, 7).map((n) => ({ how: `jwt ${n} segments`, value: Array.from({ length: n }, (_, i) => parts[i % 3] ?? 'e30').join('.') })),
    fc.constant({ how: 'jwt signature swapped', value: `${h}.${p}.${b64u(Buffer.alloc(64, 7))}` }),
    fc.constant({ how: 'jwt whitespace', value: ` ${base}\n` }),
    fc.constant({ how: 'jwt doubled', value: `${base}${base}` }),
    fc.constant({ how: 'jwt empty', value: '' }),
    fc.constant({ how: 'jwt huge', value: `${h}.${b64u(JSON.stringify({ ...payload, pad: 'x'.repeat(300_000) }))}.${s}` }),
    fc.string({ unit: 'binary', maxLength: 64 }).map((value) => ({ how: 'jwt random', value })),
  );
}

/** A hostile scalar value. */
export function nastyValue(): fc.Arbitrary<{ how: string; value: string }> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...SQL).map((value) => ({ how: 'sql', value })) },
    { weight: 3, arbitrary: fc.constantFrom(...HTML).map((value) => ({ how: 'html', value })) },
    { weight: 3, arbitrary: fc.constantFrom(...UNICODE).map((value) => ({ how: 'unicode', value })) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((value) => ({ how: 'random unicode', value })) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }).map((value) => ({ how: 'random ascii', value })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('', ' ', '\t', '\n', 'null', 'undefined', 'true', '0', '-1', 'NaN', '1e999', '[]', '{}')
        .map((value) => ({ how: 'edge', value })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(10_000, 100_000, 1_100_000).map((n) => ({ how: `huge ${n}`, value: 'A'.repeat(n) })),
    },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }).map((value) => ({ how: 'json text', value })) },
  );
}

/** A hostile JSON value (admin bodies, MCP params). */
export function nastyJson(): fc.Arbitrary<{ how: string; value: unknown }> {
  return fc.oneof(
    nastyValue().map(({ how, value }) => ({ how, value: value as unknown })),
    fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)).map((value) => ({ how: 'type confusion', value })),
    fc.array(fc.string(), { maxLength: 5 }).map((value) => ({ how: 'array', value: value as unknown })),
    fc.object({ maxDepth: 3 }).map((value) => ({ how: 'object', value: value as unknown })),
    fc.constant({ how: 'array of 10k', value: Array.from({ length: 10_000 }, (_, i) => `v${i}`) as unknown }),
    fc.constant({ how: 'number edge', value: (Number.MAX_SAFE_INTEGER * 4) as unknown }),
  );
}

function deepJson(depth: number, kind: '[' | '{'): string {
  return kind === '[' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

interface Template {
  method: string;
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string | string[]>;
  body?: { kind: 'form'; params: Array<[string, string]> } | { kind: 'json'; value: unknown } | { kind: 'raw'; bytes: Buffer };
}

function template(ep: EndpointSpec): Template {
  const headers: Record<string, string | string[]> = { ...ep.headers };
  const params = Object.entries(ep.params ?? {});
  if (ep.kind === 'form') return { method: ep.method, path: ep.path, query: [], headers, body: { kind: 'form', params } };
  if (ep.kind === 'json' || ep.kind === 'jsonrpc')
    return { method: ep.method, path: ep.path, query: [], headers, body: { kind: 'json', value: ep.json ?? {} } };
  if (ep.kind === 'query') return { method: ep.method, path: ep.path, query: params, headers };
  return { method: ep.method, path: ep.path, query: [], headers };
}

type Mutation = { how: string; apply: (t: Template) => void };

function setParam(list: Array<[string, string]>, key: string, value: string) {
  const i = list.findIndex(([k]) => k === key);
  if (i >= 0) list[i] = [key, value];
  else list.push([key, value]);
}

function paramList(t: Template): Array<[string, string]> | undefined {
  if (t.body?.kind === 'form') return t.body.params;
  if (t.query.length || !t.body) return t.query;
  return undefined;
}

function mutations(ep: EndpointSpec, samples: Samples): fc.Arbitrary<Mutation> {
  const keys = Object.keys(ep.params ?? {});
  const jwtKeys = ep.jwtParams ?? [];
  const anyKey = keys.length ? fc.constantFrom(...keys) : fc.constant('x');
  const list: Array<fc.WeightedArbitrary<Mutation>> = [];
  // Parameter-level (forms and queries).
  if (ep.kind === 'form' || ep.kind === 'query' || ep.kind === 'none') {
    list.push({
      weight: 6,
      arbitrary: fc.tuple(anyKey, nastyValue()).map(([k, v]) => ({ how: `param ${k}: ${v.how}`, apply: (t) => setParam(paramList(t) ?? t.query, k, v.value) })),
    });
    list.push({
      weight: 2,
      arbitrary: anyKey.map((k) => ({
        how: `param ${k} dropped`,
        apply: (t) => {
          const l = paramList(t);
          if (l) l.splice(0, l.length, ...l.filter(([kk]) => kk !== k));
        },
      })),
    });
    list.push({
      weight: 3,
      arbitrary: fc
        .tuple(anyKey, nastyValue())
        .map(([k, v]) => ({ how: `param ${k} duplicated (${v.how})`, apply: (t) => (paramList(t) ?? t.query).push([k, v.value]) })),
    });
    list.push({
      weight: 1,
      arbitrary: fc
        .tuple(nastyValue(), nastyValue())
        .map(([k, v]) => ({ how: `extra param (${k.how})`, apply: (t) => (paramList(t) ?? t.query).push([k.value, v.value]) })),
    });
    if (ep.kind === 'form')
      list.push({
        weight: 1,
        arbitrary: fc.constant({ how: 'form params in the query string', apply: (t) => t.body?.kind === 'form' && t.query.push(...t.body.params) }),
      });
  }
  // JWT-valued parameters.
  if (jwtKeys.length)
    list.push({
      weight: 8,
      arbitrary: fc.constantFrom(...jwtKeys).chain((k) =>
        jwtArb(samples.jwts[k] ?? samples.jwts.default ?? '').map((j) => ({
          how: `${k}: ${j.how}`,
          apply: (t: Template) => setParam(paramList(t) ?? t.query, k, j.value),
        })),
      ),
    });
  // Body shape.
  if (ep.kind === 'form')
    list.push({
      weight: 2,
      arbitrary: fc.constantFrom('application/json', 'application/x-www-form-urlencoded').map((ct) => ({
        how: `JSON body as ${ct}`,
        apply: (t) => {
          const params = t.body?.kind === 'form' ? Object.fromEntries(t.body.params) : {};
          t.body = { kind: 'raw', bytes: Buffer.from(JSON.stringify(params)) };
          t.headers['content-type'] = ct;
        },
      })),
    });
  if (ep.kind === 'json' || ep.kind === 'jsonrpc') {
    const fields = ep.json && typeof ep.json === 'object' && !Array.isArray(ep.json) ? Object.keys(ep.json as object) : [];
    list.push({
      weight: 6,
      arbitrary: fc.tuple(fields.length ? fc.constantFrom(...fields) : fc.constant('x'), nastyJson()).map(([k, v]) => ({
        how: `field ${k}: ${v.how}`,
        apply: (t) => {
          const base = t.body?.kind === 'json' && t.body.value && typeof t.body.value === 'object' ? (t.body.value as Record<string, unknown>) : {};
          t.body = { kind: 'json', value: { ...base, [k]: v.value } };
        },
      })),
    });
    list.push({
      weight: 2,
      arbitrary: fc
        .constantFrom(
          { how: 'body __proto__', text: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
          { how: 'body null', text: 'null' },
          { how: 'body array', text: '[{}]' },
          { how: 'body string', text: '"x"' },
          { how: 'body number', text: '1e309' },
          { how: 'body truncated', text: '{"a":' },
          { how: 'body trailing comma', text: '{"a":1,}' },
          { how: 'body duplicate keys', text: '{"enabled":true,"enabled":"yes"}' },
          { how: 'body deep array', text: deepJson(5_000, '[') },
          { how: 'body deep object', text: deepJson(3_000, '{') },
          { how: 'body jsonrpc batch', text: '[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":1,"method":"tools/list"}]' },
          { how: 'body empty', text: '' },
        )
        .map(({ how, text }) => ({ how, apply: (t) => (t.body = { kind: 'raw', bytes: Buffer.from(text) }) })),
    });
    if (ep.kind === 'jsonrpc')
      list.push({
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom(
              'initialize',
              'ping',
              'tools/list',
              'tools/call',
              'resources/list',
              'resources/read',
              'prompts/get',
              'completion/complete',
              'logging/setLevel',
              'server/discover',
              'notifications/initialized',
              'notifications/cancelled',
              'tasks/get',
              'x/unknown',
            ),
            fc.oneof(
              nastyJson(),
              fc.record({ name: nastyValue().map((v) => v.value), arguments: fc.object({ maxDepth: 2 }) }).map((value) => ({ how: 'params', value })),
            ),
          )
          .map(([method, params]) => ({
            how: `jsonrpc ${method} with ${params.how}`,
            apply: (t: Template) => {
              const base = t.body?.kind === 'json' && t.body.value && typeof t.body.value === 'object' ? (t.body.value as Record<string, unknown>) : {};
              t.body = { kind: 'json', value: { ...base, method, params: params.value } };
              if (t.headers['mcp-method'] !== undefined) t.headers['mcp-method'] = method;
            },
          })),
      });
    list.push({
      weight: 1,
      arbitrary: fc.constant({
        how: 'form body where JSON is expected',
        apply: (t) => {
          t.body = { kind: 'raw', bytes: Buffer.from('a=1&b=2') };
          t.headers['content-type'] = 'application/x-www-form-urlencoded';
        },
      }),
    });
  }
  // Any endpoint: content type, raw bytes, headers, path, method.
  list.push({
    weight: 2,
    arbitrary: fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/x-www-form-urlencoded; charset=latin1',
        'application/x-www-form-urlencoded, application/json',
        '*/*',
        ';;;',
        'application/jwt',
      )
      .map((ct) => ({ how: `content-type ${ct}`, apply: (t) => (t.headers['content-type'] = ct) })),
  });
  list.push({
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.uint8Array({ maxLength: 512 }).map((a) => ({ how: 'random bytes', bytes: Buffer.from(a) })),
        fc.constant({ how: 'invalid utf-8', bytes: Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0xc0, 0xaf, 0x26, 0x62, 0x3d, 0xed, 0xa0, 0x80]) }),
        fc.constant({ how: 'xml entity bomb', bytes: Buffer.from(`<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "${'x'.repeat(100)}">]><a>&x;</a>`) }),
        fc.constant({ how: 'huge body 3 MB', bytes: Buffer.alloc(3_000_000, 0x61) }),
        fc.constant({ how: 'bad percent-encoding', bytes: Buffer.from('grant_type=%ZZ&assertion=%E0%A4%A&scope=%') }),
      )
      .map(({ how, bytes }) => ({ how, apply: (t) => (t.body = { kind: 'raw', bytes }) })),
  });
  list.push({
    weight: 1,
    arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity, gzip', 'x-unknown').map((enc) => ({
      how: `content-encoding ${enc} on a plain body`,
      apply: (t) => (t.headers['content-encoding'] = enc),
    })),
  });
  list.push({
    weight: 3,
    arbitrary: fc
      .oneof(
        nastyValue().map((v) => ({ how: `authorization Bearer ${v.how}`, value: `Bearer ${v.value}` })),
        jwtArb(samples.jwts.admin ?? samples.jwts.default ?? '').map((j) => ({ how: `authorization Bearer ${j.how}`, value: `Bearer ${j.value}` })),
        fc
          .constantFrom(
            'Basic',
            'Basic !!!',
            `Basic ${b64u('nocolon')}`,
            `Basic ${Buffer.from(':').toString('base64')}`,
            `Basic ${Buffer.from(`${'x'.repeat(5000)}:y`).toString('base64')}`,
            `Basic ${Buffer.from('a%ZZ:b%').toString('base64')}`,
            'Bearer',
            'Bearer ',
            'DPoP abc',
            'Negotiate xyz',
            'bearer a b c',
          )
          .map((value) => ({ how: `authorization ${value.slice(0, 14)}`, value })),
        fc.constant({ how: 'authorization twice', value: ['Bearer a', 'Basic b'] as string | string[] }),
      )
      .map(({ how, value }) => ({ how, apply: (t) => (t.headers.authorization = value) })),
  });
  list.push({
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          'traceparent',
          'cookie',
          'origin',
          'accept',
          'mcp-session-id',
          'mcp-protocol-version',
          'last-event-id',
          'x-csrf-token',
          'host',
          'referer',
        ),
        fc.oneof(
          fc.constantFrom(
            '00-zz-zz-01',
            `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01`,
            'ff-x',
            '../..',
            "' OR 1=1",
            'null',
            `a=${'b'.repeat(7000)}`,
            'x; y; z=;;;',
          ),
          fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
        ),
      )
      .map(([name, value]) => ({ how: `header ${name}`, apply: (t) => (t.headers[name] = value.replace(/[\r\n]/g, ' ')) })),
  });
  list.push({
    weight: 2,
    arbitrary: fc
      .constantFrom('/%', '/%E0%A4%A', '/%C0%AF', '/%00', '/..%2f..%2fetc%2fpasswd', `/${'a'.repeat(6000)}`, '/%F0%9F%94%A5', '//', '/;x=1', `/${MARK}`)
      .map((suffix) => ({ how: `path + ${suffix.slice(0, 20)}`, apply: (t) => (t.path = `${t.path.replace(/\/$/, '')}${suffix}`) })),
  });
  list.push({
    weight: 1,
    arbitrary: fc
      .constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST', 'GET', 'PROPFIND')
      .map((m) => ({ how: `method ${m}`, apply: (t) => (t.method = m) })),
  });
  return fc.oneof(...list);
}

export interface Samples {
  /** JWT templates keyed by parameter name (`subject_token`, `assertion`…), plus `admin` and `default`. */
  jwts: Record<string, string>;
}

function serialize(ep: EndpointSpec, t: Template, index: number, how: string): FuzzRequest {
  const marker = `<xp-${index}>`;
  const markers: string[] = [];
  const mark = (s: string) => {
    if (!s.includes(MARK)) return s;
    markers.push(marker);
    return s.split(MARK).join(marker);
  };
  const url = new URL(ep.origin);
  url.pathname = mark(t.path);
  for (const [k, v] of t.query) url.searchParams.append(mark(k), mark(v));
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(t.headers)) headers[k] = Array.isArray(v) ? v.map(mark) : mark(v);
  let body: Buffer | undefined;
  if (t.body?.kind === 'form') {
    const p = new URLSearchParams();
    for (const [k, v] of t.body.params) p.append(mark(k), mark(v));
    body = Buffer.from(p.toString());
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (t.body?.kind === 'json') {
    body = Buffer.from(mark(JSON.stringify(t.body.value) ?? 'null'));
    headers['content-type'] ??= 'application/json';
  } else if (t.body?.kind === 'raw') {
    body = t.body.bytes;
  }
  // Header values must be latin-1 without CR/LF to be sent at all; keep the rest byte-for-byte.
  for (const [k, v] of Object.entries(headers)) {
    // Node refuses control characters (other than tab) in a header value: they become spaces.
    const clean = (s: string) =>
      [...Buffer.from(s, 'utf8').toString('latin1')].map((ch) => (ch === '\t' || (ch >= ' ' && ch !== '\u007f') ? ch : ' ')).join('');
    headers[k] = Array.isArray(v) ? v.map(clean) : clean(v);
  }
  return { endpoint: ep.name, app: ep.app, index, mutation: how, method: t.method, url: url.href, headers, ...(body ? { body } : {}), markers };
}

/** `count` mutated requests for one endpoint, deterministic in `seed`. */
export function endpointCorpus(ep: EndpointSpec, samples: Samples, count: number, seed: number, firstIndex = 0): FuzzRequest[] {
  const muts = fc.sample(mutations(ep, samples), { seed, numRuns: count });
  return muts.map((m, i) => {
    const t = structuredClone(template(ep));
    if (t.body?.kind === 'raw') t.body.bytes = Buffer.from(t.body.bytes);
    m.apply(t);
    return serialize(ep, t, firstIndex + i, m.how);
  });
}

/** Unstructured requests against an origin: random paths, methods and bytes. */
export function randomCorpus(origin: string, app: string, count: number, seed: number, firstIndex = 0): FuzzRequest[] {
  const arb = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    segments: fc.array(
      fc.oneof(
        fc.constantFrom('admin', 'mcp', 'token', '.well-known', 'api', 'auth', 'interaction', 'events', 'stream'),
        fc.string({ unit: 'grapheme', maxLength: 12 }),
      ),
      {
        maxLength: 5,
      },
    ),
    query: fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 4 }),
    body: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }),
    contentType: fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', undefined),
  });
  return fc.sample(arb, { seed, numRuns: count }).map((r, i) => {
    const url = new URL(origin);
    url.pathname = `/${r.segments.map((s) => encodeURIComponent(s)).join('/')}`;
    for (const [k, v] of r.query) url.searchParams.append(k, v);
    const headers: Record<string, string> = {};
    if (r.contentType) headers['content-type'] = r.contentType;
    return {
      endpoint: `${app} random`,
      app,
      index: firstIndex + i,
      mutation: 'random request',
      method: r.method,
      url: url.href,
      headers,
      ...(r.body && r.method !== 'GET' && r.method !== 'HEAD' ? { body: Buffer.from(r.body) } : {}),
      markers: [],
    };
  });
}

/** Whether an HTML response reflects one of the request's markers unescaped. */
export function reflectsMarker(html: string, markers: readonly string[]): string | undefined {
  return markers.find((m) => html.includes(m));
}

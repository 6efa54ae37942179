/**
 * Hostile values for the corpus: SQL, HTML and unicode fragments, edge and huge scalars, hostile JSON,
 * and structure-aware mutations of a real JWT (RFC 7515 §7.1 compact serialization; the alg, typ,
 * kid, jku and jwk header parameters of RFC 7515 §4.1), as fast-check arbitraries.
 *
 * HTML payloads carry `MARK`, which the corpus turns into a unique marker per request.
 */
import fc from 'fast-check';

/** Stands for the request's marker in a payload (see corpus.ts). */
export const MARK = '\u0000MARK\u0000';

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

export const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');

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

/** JSON nested `depth` levels deep. */
export function deepJson(depth: number, kind: '[' | '{'): string {
  return kind === '[' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

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
import { mutations, type Template, template } from './mutations.ts';
import { MARK } from './payloads.ts';
import type { EndpointSpec, FuzzRequest, Samples } from './spec.ts';

export { HTML, jwtArb, nastyJson, nastyValue, SQL, UNICODE } from './payloads.ts';
export type { BodyKind, EndpointSpec, FuzzRequest, Samples } from './spec.ts';

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

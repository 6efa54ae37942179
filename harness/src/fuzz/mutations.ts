/**
 * The structure-aware mutations of one endpoint's template request: parameter-level (a hostile,
 * dropped, duplicated or extra parameter), JWT-valued parameters, the body's shape, and for any
 * endpoint the content type, raw bytes, content encoding, authorization and other headers, the path
 * and the method — each weighted, as one fast-check arbitrary.
 */
import fc from 'fast-check';
import { b64u, deepJson, jwtArb, MARK, nastyJson, nastyValue } from './payloads.ts';
import type { EndpointSpec, Samples } from './spec.ts';

/** A request being mutated: the endpoint's valid template, copied. */
export interface Template {
  method: string;
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string | string[]>;
  body?: { kind: 'form'; params: Array<[string, string]> } | { kind: 'json'; value: unknown } | { kind: 'raw'; bytes: Buffer };
}

export function template(ep: EndpointSpec): Template {
  const headers: Record<string, string | string[]> = { ...ep.headers };
  const params = Object.entries(ep.params ?? {});
  if (ep.kind === 'form') return { method: ep.method, path: ep.path, query: [], headers, body: { kind: 'form', params } };
  if (ep.kind === 'json' || ep.kind === 'jsonrpc')
    return { method: ep.method, path: ep.path, query: [], headers, body: { kind: 'json', value: ep.json ?? {} } };
  if (ep.kind === 'query') return { method: ep.method, path: ep.path, query: params, headers };
  return { method: ep.method, path: ep.path, query: [], headers };
}

export type Mutation = { how: string; apply: (t: Template) => void };

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

export function mutations(ep: EndpointSpec, samples: Samples): fc.Arbitrary<Mutation> {
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

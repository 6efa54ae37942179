/**
 * Path-spelling probes: every admin/API route of an app asked for under other spellings of its path
 * (case, doubled / encoded / backslashed slashes, dot segments, suffixes, NUL and space), with other
 * methods (HEAD, OPTIONS, `X-HTTP-Method-Override`, `X-HTTP-Method`), by callers that must get nothing:
 * anonymous, a non-admin token, an expired one. Paths go on the wire as written (node:http; `fetch`
 * and `URL` would normalise them first).
 *
 * A probe passes when the answer is a refusal (401, 403, 400) or a 404/405, and carries no data:
 * the body is empty or a JSON object with no field besides `error`, `error_description` and `fields`,
 * and no string from a real record appears in it as a whole token. The record strings are the string
 * values the API returned to the valid admin for its listing routes that identify something: 6+
 * characters with a digit or one of `@ . : / - _` (ids, emails, client ids, issuers, key ids; not
 * plain words like "console" or snake_case codes like "invalid_request", which an error message may use).
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { assertLoopback } from '../http.ts';

export interface PathRoute {
  method: string;
  /** The route as the app spells it, absolute: `/admin/users`, `/api/events`. */
  path: string;
}

export interface PathCredential {
  kind: string;
  headers: Record<string, string>;
}

export interface PathTarget {
  /** Row label (`idp /admin`, `tasks /admin`, `console /api`). */
  name: string;
  origin: string;
  /** The surface prefix (`/admin`, `/api`). */
  prefix: string;
  routes: PathRoute[];
  credentials: PathCredential[];
  /** Strings from real records (see `recordStrings`): none may appear in a probe's answer. */
  records: Set<string>;
}

export interface PathProbe {
  method: string;
  path: string;
  headers: Record<string, string>;
  variant: string;
}

/** The spellings of one route path (beyond the exact one), each named. */
export function spellings(path: string, prefix: string): Array<{ variant: string; path: string }> {
  const rest = path.slice(prefix.length); // '' or '/users…'
  const after = rest.startsWith('/') ? rest.slice(1) : rest;
  const mixed = path.replace(/\/([a-z])/g, (_m, c: string) => `/${c.toUpperCase()}`);
  const out = [
    { variant: 'upper case', path: path.toUpperCase() },
    { variant: 'prefix upper case', path: prefix.toUpperCase() + rest },
    { variant: 'mixed case', path: mixed },
    { variant: 'leading //', path: `/${path}` },
    { variant: 'trailing /', path: `${path}/` },
    { variant: ';x', path: `${path};x` },
    { variant: '.json', path: `${path}.json` },
    { variant: '%00', path: `${path}%00` },
    { variant: '%20', path: `${path}%20` },
    { variant: '/./', path: `${prefix}/.${rest || '/'}` },
    { variant: '/x/../', path: `${prefix}/x/..${rest || '/'}` },
    { variant: 'prefix /x/../', path: `/x/..${path}` },
  ];
  if (after)
    out.push(
      { variant: '//', path: `${prefix}//${after}` },
      { variant: '%2f', path: `${prefix}%2f${after}` },
      { variant: '%2F', path: `${prefix}%2F${after}` },
      { variant: '%252f', path: `${prefix}%252f${after}` },
      { variant: '\\', path: `${prefix}\\${after}` },
    );
  return out.filter((s) => s.path !== path);
}

/** Every probe for one route: the spellings with its own method, then other methods on the exact path. */
export function probesForRoute(route: PathRoute, prefix: string): PathProbe[] {
  const probes: PathProbe[] = spellings(route.path, prefix).map((s) => ({ method: route.method, path: s.path, headers: {}, variant: s.variant }));
  const writes = route.method !== 'GET' ? route.method : 'DELETE';
  probes.push(
    { method: 'HEAD', path: route.path, headers: {}, variant: 'HEAD' },
    { method: 'HEAD', path: route.path.toUpperCase(), headers: {}, variant: 'HEAD upper case' },
    { method: 'OPTIONS', path: route.path, headers: {}, variant: 'OPTIONS' },
    { method: 'GET', path: route.path, headers: { 'x-http-method-override': writes }, variant: 'X-HTTP-Method-Override' },
    { method: 'GET', path: route.path, headers: { 'x-http-method': writes }, variant: 'X-HTTP-Method' },
    { method: 'POST', path: route.path, headers: { 'x-http-method-override': route.method }, variant: 'POST + override' },
  );
  return probes;
}

/** The identifying string values in a JSON document (the "record strings" of a listing). */
export function recordStrings(body: string, into = new Set<string>()): Set<string> {
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      // snake_case words are the API's vocabulary (error codes such as invalid_request), not records.
      if (v.length >= 6 && v.length <= 2000 && /[0-9@.:/_-]/.test(v) && !/^[a-z]+(?:_[a-z]+)+$/.test(v)) into.add(v);
    } else if (Array.isArray(v)) for (const x of v) walk(x);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  try {
    walk(JSON.parse(body));
  } catch {
    // not JSON: nothing to learn
  }
  return into;
}

const TOKEN_CHAR = /[A-Za-z0-9_@.:/-]/;

/** `needle` occurs in `text` not as part of a longer token ("id_token" is not in "invalid_token"). */
function containsToken(text: string, needle: string): boolean {
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
    const before = text[i - 1];
    const after = text[i + needle.length];
    if ((before === undefined || !TOKEN_CHAR.test(before)) && (after === undefined || !TOKEN_CHAR.test(after))) return true;
  }
  return false;
}

const ERROR_KEYS = new Set(['error', 'error_description', 'fields']);

/** Why an answer fails the probe, or undefined when it passes (see the module comment). */
export function judge(status: number, body: string, records: Set<string>, echoes: string[]): string | undefined {
  if (![400, 401, 403, 404, 405].includes(status)) return `${status}`;
  const text = body.trim();
  if (text) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return `${status} with a non-JSON body`;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return `${status} with a non-object body`;
    const extra = Object.keys(parsed).filter((k) => !ERROR_KEYS.has(k));
    if (extra.length) return `${status} with field ${extra[0]}`;
  }
  // The answer may echo the path it was asked for and name the API's own URL ("not issued for
  // <origin>/admin"); a record string only counts beyond those echoes.
  let echoFree = text;
  for (const e of [...echoes].sort((a, b) => b.length - a.length)) echoFree = echoFree.split(e).join('');
  for (const r of records) if (containsToken(echoFree, r)) return `${status} carrying ${JSON.stringify(r.slice(0, 40))}`;
  return undefined;
}

export interface RawResponse {
  status: number;
  body: string;
}

/** One request with the path exactly as given. */
export function rawRequest(origin: string, path: string, method: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<RawResponse> {
  const u = assertLoopback(origin);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname.replace(/^\[|\]$/g, ''),
        port: u.port,
        path,
        method,
        setHost: false,
        headers: { host: u.host, ...headers },
      },
      (res) => {
        // An event stream that opened is data on its own: stop reading it.
        if (String(res.headers['content-type'] ?? '').includes('text/event-stream')) {
          clearTimeout(timer);
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: '(event stream opened)' });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size <= 1 << 20) chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end();
  });
}

export interface PathRow {
  target: string;
  credential: string;
  probes: number;
  refused: number;
  notFound: number;
  failures: string[];
}

/**
 * The record strings this caller does not already get from the exact route: a refusal may name the
 * API's own vocabulary ("The xaa:admin scope is required."), and a spelling that answers the same
 * refusal reveals nothing new. Only the first route's exact answer is the baseline, and only when it is
 * itself a refusal.
 */
async function unrevealed(t: PathTarget, cred: PathCredential, timeoutMs?: number): Promise<Set<string>> {
  const first = t.routes[0];
  if (!first) return t.records;
  const r = await rawRequest(t.origin, first.path, first.method, cred.headers, timeoutMs).catch(() => undefined);
  if (!r || ![401, 403].includes(r.status)) return t.records;
  return new Set([...t.records].filter((s) => !containsToken(r.body, s)));
}

/** Run every probe of every target with each of its credentials; bounded concurrency, one row per (target, credential). */
export async function runPathProbes(
  targets: PathTarget[],
  options: { concurrency?: number; timeoutMs?: number } = {},
): Promise<{ rows: PathRow[]; ms: number }> {
  const t0 = performance.now();
  const rows: PathRow[] = [];
  const concurrency = options.concurrency ?? 16;
  for (const t of targets) {
    const probes = t.routes.flatMap((r) => probesForRoute(r, t.prefix));
    for (const cred of t.credentials) {
      const row: PathRow = { target: t.name, credential: cred.kind, probes: 0, refused: 0, notFound: 0, failures: [] };
      const records = await unrevealed(t, cred, options.timeoutMs);
      let next = 0;
      const worker = async () => {
        while (next < probes.length) {
          const p = probes[next++] as PathProbe;
          row.probes++;
          let r: RawResponse;
          try {
            r = await rawRequest(t.origin, p.path, p.method, { ...cred.headers, ...p.headers }, options.timeoutMs);
          } catch (e) {
            row.failures.push(`${p.method} ${p.path} (${p.variant}): ${(e as Error).message}`);
            continue;
          }
          const why = judge(r.status, r.body, records, [p.path, `${t.origin}${t.prefix}`, t.origin]);
          if (why) row.failures.push(`${p.method} ${p.path} (${p.variant}) → ${why}`);
          else if (r.status === 404 || r.status === 405) row.notFound++;
          else row.refused++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, probes.length) }, worker));
      rows.push(row);
    }
  }
  return { rows, ms: performance.now() - t0 };
}

/**
 * The fuzz targets of one admin API: its events endpoints, its known routes with template bodies, and
 * every route of its OpenAPI document. Admin endpoints are fuzzed with a valid admin token so the
 * bodies reach validation; ids in their paths point at entities the health check after the run does
 * not depend on.
 */
import type { AdminRoute } from '../admin-routes.ts';
import { pathOf, send } from '../http.ts';
import type { EndpointSpec } from './spec.ts';

/** Ids the admin fuzz may touch: the health check after the run uses alice, acme-agent, tasks and docs only. */
const SAFE_IDS: Record<string, string> = {
  users: 'bob',
  groups: 'sales',
  apps: 'shadow-agent',
  clients: 'shadow-agent',
  servers: 'crm',
  connections: 'acme-chat',
  sessions: 'x',
};

/** Template bodies for the known routes of APIs without an OpenAPI document. */
const KNOWN_BODIES: Record<string, unknown> = {
  'POST /trusted-issuers': { issuer: 'http://127.0.0.1:9', jwks_uri: 'http://127.0.0.1:9/jwks' },
  'PATCH /trusted-issuers/:x': { enabled: true },
  'PATCH /settings': { generic_errors: false },
  'POST /clients': { client_name: 'fuzz', redirect_uris: ['http://127.0.0.1:9/cb'] },
  'POST /agent/login': { username: 'fuzz-nobody', password: 'x' },
  'POST /agent/connect': { server: 'crm' },
  'POST /agent/call': { server: 'crm', tool: 'find_account', arguments: {} },
};

/** One admin API's endpoints: the events feed and stream, the known routes, and every route of its OpenAPI document. */
export async function adminEndpoints(
  app: string,
  base: string,
  token: string,
  safeConnection: string | undefined,
  known: AdminRoute[] = [],
  /** Whether mutating routes get the valid token (else they are fuzzed anonymously). */
  mutate = true,
): Promise<EndpointSpec[]> {
  const origin = new URL(base).origin;
  const prefix = pathOf(base);
  const headers = { authorization: `Bearer ${token}` };
  const out: EndpointSpec[] = [
    {
      name: `${app} admin GET events`,
      app,
      origin,
      method: 'GET',
      path: `${prefix}/events`,
      kind: 'query',
      params: { after: '0', limit: '5', traceId: '0af7651916cd43dd8448eb211c80319c' },
      headers,
    },
    {
      name: `${app} admin GET events/stream (anonymous)`,
      app,
      origin,
      method: 'GET',
      path: `${prefix}/events/stream`,
      kind: 'none',
      headers: { 'last-event-id': '1' },
    },
    { name: `${app} admin anonymous`, app, origin, method: 'POST', path: `${prefix}/`, kind: 'json', json: {} },
  ];
  for (const k of known) {
    if (k.method === 'DELETE') continue;
    const full = `${prefix}${k.path.replace(/:x\b/g, 'x')}`;
    const authorized = k.method === 'GET' || mutate;
    out.push({
      name: `${app} admin ${k.method} ${k.path || '/'}${authorized ? '' : ' (anonymous)'}`,
      app,
      origin,
      method: k.method,
      path: full,
      kind: k.method === 'GET' ? 'query' : 'json',
      ...(k.method === 'GET' ? { params: {} } : { json: KNOWN_BODIES[`${k.method} ${k.path}`] ?? {} }),
      ...(authorized ? { headers } : {}),
    });
  }
  const doc = await send(`${base}/openapi.json`).catch(() => undefined);
  if (doc?.status !== 200) return out;
  let paths: Record<string, Record<string, { requestBody?: unknown; parameters?: Array<{ name: string; in: string }> }>> = {};
  try {
    paths = (JSON.parse(doc.body) as { paths?: typeof paths }).paths ?? {};
  } catch {
    return out;
  }
  for (const [p, ops] of Object.entries(paths)) {
    const segments = p.split('/');
    const concrete = segments
      .map((seg, i) => {
        if (!/^\{.+\}$/.test(seg)) return seg;
        const collection = segments[i - 1] ?? '';
        if (collection === 'connections' && safeConnection) return safeConnection;
        return SAFE_IDS[collection] ?? 'x';
      })
      .join('/');
    const full = concrete.startsWith(prefix) ? concrete : `${prefix}${concrete}`;
    if (full.endsWith('/openapi.json') || full.endsWith('/events/stream')) continue;
    for (const [method, op] of Object.entries(ops)) {
      const m = method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m)) continue;
      // Deleting is not fuzzed with a valid token: a lucky valid request would remove what others need.
      if (m === 'DELETE') continue;
      const query = Object.fromEntries((op.parameters ?? []).filter((x) => x.in === 'query').map((x) => [x.name, 'x']));
      out.push({
        name: `${app} admin ${m} ${full.slice(prefix.length) || '/'}`,
        app,
        origin,
        method: m,
        path: full,
        kind: m === 'GET' ? 'query' : 'json',
        ...(m === 'GET' ? { params: query } : { json: {} }),
        headers,
      });
    }
  }
  return out;
}

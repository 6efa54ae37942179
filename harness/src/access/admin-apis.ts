/**
 * Admin and event APIs against every credential kind: anonymous, expired, wrong-audience and
 * non-admin credentials are refused on every route, the ops token is accepted on the reads (so the
 * refusals mean something), a non-admin client gets no admin token, and no API grants another
 * origin a CORS allowance.
 */
import { type AdminRoute, AGENT_ADMIN_ROUTES, SERVER_ADMIN_ROUTES } from '../admin-routes.ts';
import { send } from '../http.ts';
import { sleep } from '../pool.ts';
import type { Check } from '../report.ts';
import type { Manifest } from '../stack.ts';
import { type Credential, type CredentialSet, credentialsFor } from './credentials.ts';

export interface Probe {
  method: string;
  path: string;
  /** Stream endpoints: only refusals are checked (a valid token would hold the stream open). */
  stream?: boolean;
}

/** An origin no app trusts. */
const EVIL = 'http://evil.example';

/** The admin routes of one API: its OpenAPI document when it has one, else the known list, plus the events endpoints. */
export async function probesFor(base: string, known: AdminRoute[] = []): Promise<Probe[]> {
  const probes: Probe[] = [
    { method: 'GET', path: '/events' },
    { method: 'GET', path: '/events/stream', stream: true },
    ...known.map((k) => ({ method: k.method, path: k.path.replace(/:x\b/g, 'x') })),
  ];
  const doc = await send(`${base}/openapi.json`).catch(() => undefined);
  if (doc?.status === 200) {
    try {
      const paths = (JSON.parse(doc.body) as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
      for (const [p, ops] of Object.entries(paths)) {
        const rel = p.replace(/^\/admin/, '').replace(/\{[^}]+\}/g, 'x');
        if (rel === '/openapi.json') continue;
        for (const method of Object.keys(ops))
          if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) probes.push({ method: method.toUpperCase(), path: rel });
      }
    } catch {
      // no usable document: the other probes remain
    }
  }
  const seen = new Set<string>();
  return probes.filter((p) => {
    const k = `${p.method} ${p.path}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface AdminRow {
  base: string;
  kind: string;
  probes: number;
  refused: number;
  unexpected: string[];
}

async function probe(base: string, p: Probe, cred: Credential): Promise<{ status: number; body: string }> {
  const body = ['POST', 'PUT', 'PATCH'].includes(p.method) ? '{}' : undefined;
  const res = await send(`${base}${p.path}`, {
    method: p.method,
    headers: { ...(cred.authorization ? { authorization: cred.authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body } : {}),
    timeoutMs: p.stream && cred.kind === 'valid admin' ? 1500 : 10_000,
  });
  return { status: res.status, body: res.body };
}

export async function adminApiChecks(
  manifest: Manifest,
  dataDir: string,
  o: { expired: 'backdated' | 'wait' },
  notes: string[],
): Promise<{ checks: Check[]; rows: AdminRow[]; creds: CredentialSet; probes: Map<string, Probe[]> }> {
  const agentAdmin = `${manifest.agent.url}/admin`;
  const bases = [manifest.idp.admin, ...manifest.servers.map((s) => s.admin), agentAdmin];
  const creds = await credentialsFor(manifest, dataDir, bases, o.expired);
  notes.push(...creds.notes);
  if (o.expired === 'wait') {
    // Real tokens, really expired: wait out the longest one (plus the accepted clock skew).
    const exp = Math.max(...[...creds.expiring.values()].map((t) => t.exp));
    const waitMs = (exp + 31) * 1000 - Date.now();
    notes.push(`waited ${Math.round(waitMs / 1000)} s for real ops tokens to expire`);
    if (waitMs > 0) await sleep(waitMs);
    for (const [base, t] of creds.expiring)
      creds.byBase.get(base)?.push({ kind: 'expired', authorization: `Bearer ${t.token}`, note: 'real ops token past its exp' });
    // The valid-admin control needs a fresh token now.
    const { opsTokenFor } = await import('./credentials.ts');
    for (const base of bases) {
      const list = creds.byBase.get(base) ?? [];
      const i = list.findIndex((c) => c.kind === 'valid admin');
      if (i >= 0) list[i] = { kind: 'valid admin', authorization: `Bearer ${(await opsTokenFor(manifest, base)).token}`, note: 'fresh ops token' };
    }
  }
  const rows: AdminRow[] = [];
  const probeLists = new Map<string, Probe[]>();
  for (const base of bases) {
    const known = base === agentAdmin ? AGENT_ADMIN_ROUTES : base === manifest.idp.admin ? [] : SERVER_ADMIN_ROUTES;
    const probes = await probesFor(base, known);
    probeLists.set(base, probes);
    for (const cred of creds.byBase.get(base) ?? []) {
      const row: AdminRow = { base, kind: cred.kind, probes: 0, refused: 0, unexpected: [] };
      for (const p of probes) {
        if (cred.kind === 'valid admin' && (p.method !== 'GET' || p.stream)) continue;
        row.probes++;
        let r: { status: number; body: string };
        try {
          r = await probe(base, p, cred);
        } catch (e) {
          row.unexpected.push(`${p.method} ${p.path}: ${(e as Error).message}`);
          continue;
        }
        const refused = r.status === 401 || r.status === 403;
        if (refused) row.refused++;
        if (cred.kind === 'valid admin' ? refused || r.status >= 500 : !refused) row.unexpected.push(`${p.method} ${p.path} → ${r.status}`);
      }
      rows.push(row);
    }
  }
  const checks: Check[] = [];
  const kinds = [...new Set(rows.map((r) => r.kind))];
  for (const kind of kinds) {
    const rs = rows.filter((r) => r.kind === kind);
    const bad = rs.flatMap((r) => r.unexpected.map((u) => `${new URL(r.base).port}${u}`));
    const name = kind === 'valid admin' ? 'admin APIs accept the ops token (control)' : `admin APIs refuse ${kind} credentials`;
    checks.push({
      name,
      ok: bad.length === 0,
      detail: bad.length ? bad.slice(0, 6).join('; ') : `${rs.reduce((a, r) => a + r.probes, 0)} probes on ${rs.length} APIs`,
    });
  }
  // A non-admin client either gets no admin token at all from the IdP, or the APIs refuse the one it got.
  const clientTokens = rows.filter((r) => r.kind === 'non-admin client').length;
  checks.push({
    name: 'non-admin clients get no admin access',
    ok: creds.clientRefusedAt.length + clientTokens === bases.length,
    detail: `IdP refused the token for ${creds.clientRefusedAt.length} of ${bases.length} APIs; ${clientTokens} issued tokens probed above`,
  });
  for (const k of ['anonymous', 'expired', 'wrong audience', 'non-admin user'] as const)
    if (!kinds.includes(k)) checks.push({ name: `admin APIs refuse ${k} credentials`, ok: false, detail: 'no such credential could be obtained' });
  // CORS on admin APIs: a preflight from another origin is not allowed.
  const corsBad: string[] = [];
  for (const base of bases) {
    const r = await send(`${base}/events`, {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    const acao = r.headers['access-control-allow-origin'];
    if (acao === EVIL || acao === '*') corsBad.push(`${base}: ${acao}`);
  }
  checks.push({ name: 'admin APIs give other origins no CORS allowance', ok: corsBad.length === 0, detail: corsBad.join('; ') || `${bases.length} APIs` });
  return { checks, rows, creds, probes: probeLists };
}

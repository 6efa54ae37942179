/**
 * Path-spelling probes (paths.ts) on every app's admin/API surface: each surface's routes, the
 * credentials that must get nothing there, and the record strings that must not leak.
 */
import { send } from '../http.ts';
import type { Check } from '../report.ts';
import type { Manifest } from '../stack.ts';
import type { Probe } from './admin-apis.ts';
import type { Credential, CredentialSet } from './credentials.ts';
import { type PathRow, type PathTarget, recordStrings, runPathProbes } from './paths.ts';

/** The console's own API routes (absolute), probed like the admin APIs' (the proxied ones included). */
const CONSOLE_ROUTES = [
  'GET /api/events',
  'GET /api/events/stream',
  'GET /api/inspect/issuers',
  'POST /api/inspect/verify',
  'GET /api/idp/users',
  'GET /api/idp/connections',
  'GET /api/servers/tasks/settings',
  'PATCH /api/servers/tasks/settings',
  'GET /api/agent/agent/status',
  'GET /api/scenarios',
  'GET /api/scorecard/targets',
  'POST /api/add-server/discover',
].map((r) => {
  const [method = 'GET', path = ''] = r.split(' ');
  return { method, path };
});

/**
 * Path-spelling probes (paths.ts) on every app's admin/API surface, with the credentials that must get
 * nothing: anonymous, a non-admin token, an expired one (the console: none, a forged session cookie,
 * a non-admin user's bearer token). Quick mode takes the first three routes of each surface.
 */
export async function pathChecks(
  manifest: Manifest,
  admin: { creds: CredentialSet; probes: Map<string, Probe[]> },
  o: { mode: 'quick' | 'full' },
): Promise<{ checks: Check[]; rows: PathRow[]; ms: number }> {
  const allRecords = new Set<string>();
  const targets: PathTarget[] = [];
  const limit = o.mode === 'quick' ? 3 : Number.POSITIVE_INFINITY;
  let nonAdminBearer: string | undefined;
  for (const [base, probes] of admin.probes) {
    const creds = admin.creds.byBase.get(base) ?? [];
    const valid = creds.find((c) => c.kind === 'valid admin');
    // What a real record looks like here: every listing this API gives the admin.
    const records = new Set<string>();
    for (const p of probes)
      if (p.method === 'GET' && !p.stream && !p.path.includes('/x') && valid?.authorization) {
        const r = await send(`${base}${p.path}`, { headers: { authorization: valid.authorization } }).catch(() => undefined);
        if (r?.status === 200) recordStrings(r.body, records);
      }
    for (const r of records) allRecords.add(r);
    const pick = (kinds: Credential['kind'][]) => kinds.map((k) => creds.find((c) => c.kind === k)).find(Boolean);
    const nonAdmin = pick(['non-admin user', 'non-admin client', 'wrong audience']);
    if (nonAdmin?.kind === 'non-admin user') nonAdminBearer ??= nonAdmin.authorization;
    const expired = pick(['expired']);
    const u = new URL(base);
    targets.push({
      name: `${u.port} ${u.pathname}`,
      origin: u.origin,
      prefix: u.pathname,
      routes: probes.slice(0, limit).map((p) => ({ method: p.method, path: `${u.pathname}${p.path}` })),
      credentials: [
        { kind: 'anonymous', headers: {} },
        ...(nonAdmin?.authorization ? [{ kind: nonAdmin.kind, headers: { authorization: nonAdmin.authorization } }] : []),
        ...(expired?.authorization ? [{ kind: 'expired', headers: { authorization: expired.authorization } }] : []),
      ],
      records,
    });
  }
  const c = new URL(manifest.console.url);
  targets.push({
    name: `${c.port} /api`,
    origin: c.origin,
    prefix: '/api',
    routes: CONSOLE_ROUTES.slice(0, limit),
    credentials: [
      { kind: 'anonymous', headers: {} },
      { kind: 'forged session', headers: { cookie: 'xaa_console_sid=forged-session-id-0000000000000000' } },
      ...(nonAdminBearer ? [{ kind: 'non-admin user', headers: { authorization: nonAdminBearer } }] : []),
    ],
    records: allRecords,
  });
  const { rows, ms } = await runPathProbes(targets, { concurrency: 16 });
  const total = rows.reduce((a, r) => a + r.probes, 0);
  const bad = rows.flatMap((r) => r.failures.map((f) => `${r.target} ${r.credential}: ${f}`));
  const checks: Check[] = [
    {
      name: 'every spelling of every admin/API path is refused or a 404 without data',
      ok: bad.length === 0 && total > 0,
      detail: bad.length ? bad.slice(0, 6).join('; ') : `${total} probes on ${targets.length} surfaces, ${allRecords.size} record strings watched`,
    },
  ];
  if (o.mode === 'full') checks.push({ name: 'at least 1,000 path-spelling probes (full mode)', ok: total >= 1000, detail: `${total}` });
  return { checks, rows, ms };
}

/**
 * Access: every admin and event endpoint of every app refuses anonymous, expired, wrong-audience and
 * non-admin credentials (and accepts the right one, so the refusals mean something); the console's
 * backend refuses mutating requests without its CSRF token and cross-origin callers; CORS allows only
 * the console's own origin; the IdP throttles repeated failed logins.
 */
import { performance } from 'node:perf_hooks';
import { AdminClient } from '../admin.ts';
import { type AdminRoute, AGENT_ADMIN_ROUTES, SERVER_ADMIN_ROUTES } from '../admin-routes.ts';
import { send } from '../http.ts';
import { sleep } from '../pool.ts';
import type { Check, HarnessResult } from '../report.ts';
import { appLogin, findLoginForm, startLogin, submitLogin } from '../sso.ts';
import type { Manifest } from '../stack.ts';
import { type Credential, type CredentialSet, credentialsFor } from './credentials.ts';
import { type PathRow, type PathTarget, recordStrings, runPathProbes } from './paths.ts';

export interface AccessOptions {
  mode: 'quick' | 'full';
  /** 'wait' lets real ops tokens expire (about ten minutes); 'backdated' re-signs one (see credentials.ts). */
  expired: 'backdated' | 'wait';
  /** Failed logins after which the IdP must throttle (the IdP's setting). */
  loginFailures: number;
}

export interface Probe {
  method: string;
  path: string;
  /** Stream endpoints: only refusals are checked (a valid token would hold the stream open). */
  stream?: boolean;
}

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

interface Row {
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

async function adminApiChecks(
  manifest: Manifest,
  dataDir: string,
  o: AccessOptions,
  notes: string[],
): Promise<{ checks: Check[]; rows: Row[]; creds: CredentialSet; probes: Map<string, Probe[]> }> {
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
  const rows: Row[] = [];
  const probeLists = new Map<string, Probe[]>();
  for (const base of bases) {
    const known = base === agentAdmin ? AGENT_ADMIN_ROUTES : base === manifest.idp.admin ? [] : SERVER_ADMIN_ROUTES;
    const probes = await probesFor(base, known);
    probeLists.set(base, probes);
    for (const cred of creds.byBase.get(base) ?? []) {
      const row: Row = { base, kind: cred.kind, probes: 0, refused: 0, unexpected: [] };
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
  o: AccessOptions,
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

async function consoleChecks(manifest: Manifest): Promise<Check[]> {
  const consoleUrl = manifest.console.url;
  const origin = new URL(consoleUrl).origin;
  const admin = manifest.users.find((u) => u.admin);
  if (!admin) throw new Error('no admin user in the manifest');
  const checks: Check[] = [];
  // Without a session: the proxied admin APIs, the merged event feed and stream, the token inspector.
  const anonPaths = [
    '/api/idp/users',
    '/api/idp/connections',
    '/api/servers/tasks/settings',
    '/api/agent/agent/status',
    '/api/events',
    '/api/events/stream',
    '/api/inspect/issuers',
  ];
  const anonBad: string[] = [];
  for (const p of anonPaths) {
    const r = await send(`${consoleUrl}${p}`, { streamHeadersOnly: true, timeoutMs: 5000 });
    if (r.status !== 401) anonBad.push(`${p} → ${r.status}`);
  }
  checks.push({
    name: 'console API and event stream refuse anonymous callers',
    ok: anonBad.length === 0,
    detail: anonBad.join('; ') || `${anonPaths.length} paths`,
  });

  const ua = await appLogin(`${consoleUrl}/auth/login`, `${consoleUrl}/auth/callback`, admin.username, admin.password);
  const cookies = await ua.jar.cookies.getCookies(consoleUrl);
  const csrf = cookies.find((c) => /csrf/i.test(c.key))?.value;
  checks.push({ name: `console sign-in as ${admin.username} (control)`, ok: Boolean(csrf), detail: cookies.map((c) => c.key).join(', ') });
  const signedIn = await ua.request(`${consoleUrl}/api/idp/connections`, { method: 'GET' });
  checks.push({ name: 'console API answers a signed-in admin (control)', ok: signedIn.status === 200, detail: `${signedIn.status}` });
  let connectionId = 'x';
  try {
    connectionId = (JSON.parse(signedIn.body) as { connections: Array<{ id: string }> }).connections[0]?.id ?? 'x';
  } catch {
    // keep the placeholder: the CSRF checks do not depend on it
  }
  const patch = (headers: Record<string, string>) =>
    ua.request(`${consoleUrl}/api/idp/connections/${connectionId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
  const noHeader = await patch({});
  checks.push({ name: 'console refuses a mutating request without the CSRF header', ok: noHeader.status === 403, detail: `${noHeader.status}` });
  const wrong = await patch({ 'x-csrf-token': `${csrf ?? ''}x` });
  checks.push({ name: 'console refuses a mutating request with a wrong CSRF token', ok: wrong.status === 403, detail: `${wrong.status}` });
  const good = await patch({ 'x-csrf-token': csrf ?? '' });
  checks.push({ name: 'console accepts the right CSRF token (control)', ok: good.status !== 403 && good.status < 500, detail: `${good.status}` });
  const cross = await patch({ 'x-csrf-token': csrf ?? '', origin: EVIL });
  checks.push({
    name: 'console refuses a cross-origin mutating request',
    ok: cross.status === 403 && !cross.headers['access-control-allow-origin'],
    detail: `${cross.status}`,
  });
  const logout = await ua.request(`${consoleUrl}/auth/logout`, { method: 'POST' });
  checks.push({ name: 'console refuses logout without the CSRF header', ok: logout.status === 403, detail: `${logout.status}` });

  const preflight = (from: string) =>
    send(`${consoleUrl}/api/idp/connections/${connectionId}`, {
      method: 'OPTIONS',
      headers: { origin: from, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'content-type, x-csrf-token' },
    });
  const evil = await preflight(EVIL);
  checks.push({
    name: 'CORS preflight from another origin gets no allow-origin',
    ok: !evil.headers['access-control-allow-origin'],
    detail: `${evil.status} ${evil.headers['access-control-allow-origin'] ?? '(none)'}`,
  });
  const own = await preflight(origin);
  checks.push({
    name: "CORS preflight from the console's origin is allowed (control)",
    ok: own.headers['access-control-allow-origin'] === origin,
    detail: `${own.status} ${own.headers['access-control-allow-origin'] ?? '(none)'}`,
  });
  return checks;
}

/** Repeated failed logins for one account are throttled at the IdP; another account is unaffected. */
async function throttleChecks(manifest: Manifest, failures: number): Promise<Check[]> {
  const agent = manifest.clients.find((c) => c.name === 'acme-agent');
  const other = manifest.users.find((u) => u.username === 'alice');
  if (!agent || !other) throw new Error('the seeded alice and acme-agent are required');
  // A throwaway account, so the lockout does not get in the way of anything else using the playground.
  const victim = { username: `throttle-${Date.now().toString(36)}`, password: 'right-password' };
  await new AdminClient(manifest).json(manifest.idp.admin, 'POST', '/users', {
    username: victim.username,
    email: `${victim.username}@acme.test`,
    name: 'Throttle Probe',
    password: victim.password,
    groups: ['engineering'],
  });
  const sso = { client_id: agent.idp.client_id, client_secret: agent.idp.client_secret, redirect_uri: agent.idp.redirect_uris[0] as string };
  const started = await startLogin(manifest.idp.issuer, sso);
  const statuses: number[] = [];
  let formNow = started.form;
  for (let i = 0; i < failures; i++) {
    const r = await started.ua.request(formNow.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...formNow.fields, username: victim.username, password: `wrong-${i}` }).toString(),
    });
    statuses.push(r.status);
    formNow = findLoginForm(r.body, formNow.action) ?? formNow;
  }
  // Now the right password, in a fresh browser: the account is still throttled.
  const again = await startLogin(manifest.idp.issuer, sso);
  const right = await submitLogin(again, sso, victim.username, victim.password);
  const throttled = !right.ok && (right.status === 429 || /too many|try again/i.test(right.body));
  // Another account signs in normally meanwhile.
  const fresh = await startLogin(manifest.idp.issuer, sso);
  const otherOk = await submitLogin(fresh, sso, other.username, other.password);
  return [
    {
      name: `failed logins are refused one by one (first ${failures})`,
      ok: statuses.every((s) => s === 401 || s === 429),
      detail: statuses.join(' '),
    },
    { name: `login is throttled after ${failures} failures, even with the right password`, ok: throttled, detail: right.ok ? 'signed in' : `${right.status}` },
    { name: 'another account is not throttled', ok: otherOk.ok, detail: otherOk.ok ? 'signed in' : `${otherOk.status}` },
  ];
}

export async function runAccess(manifest: Manifest, dataDir: string, o: AccessOptions): Promise<HarnessResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const admin = await adminApiChecks(manifest, dataDir, o, notes);
  const paths = await pathChecks(manifest, admin, o);
  const consoleC = await consoleChecks(manifest);
  const throttle = await throttleChecks(manifest, o.loginFailures);
  const checks = [...admin.checks, ...paths.checks, ...consoleC, ...throttle];
  return {
    harness: 'access',
    mode: o.mode,
    startedAt,
    durationMs: performance.now() - started,
    figures: [
      { name: 'admin APIs', value: new Set(admin.rows.map((r) => r.base)).size },
      { name: 'credential kinds', value: new Set(admin.rows.map((r) => r.kind)).size },
      { name: 'probes', value: admin.rows.reduce((a, r) => a + r.probes, 0) },
      { name: 'path-spelling probes', value: paths.rows.reduce((a, r) => a + r.probes, 0) },
      { name: 'path-spelling probes, time', value: paths.ms / 1000, unit: 's' },
      { name: 'expired token', value: o.expired === 'wait' ? 'real, waited out' : 'backdated, IdP key' },
    ],
    checks,
    details: { notes, matrix: admin.rows, paths: paths.rows },
    tables: [
      {
        title: 'path-spelling probes',
        rows: [
          ['surface', 'credential', 'probes', 'refused', '404/405 no data', 'failures'],
          ...paths.rows.map((r) => [r.target, r.credential, String(r.probes), String(r.refused), String(r.notFound), String(r.failures.length)]),
        ],
      },
    ],
  };
}

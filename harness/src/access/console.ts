/**
 * The console's backend: anonymous callers are refused on the API and the event stream, mutating
 * requests need the CSRF token and the console's own origin, and CORS allows only that origin.
 */
import { send } from '../http.ts';
import type { Check } from '../report.ts';
import { appLogin } from '../sso.ts';
import type { Manifest } from '../stack.ts';

/** An origin no app trusts. */
const EVIL = 'http://evil.example';

export async function consoleChecks(manifest: Manifest): Promise<Check[]> {
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

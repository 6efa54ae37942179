/** Login throttling at the IdP. */
import { AdminClient } from '../admin.ts';
import type { Check } from '../report.ts';
import { findLoginForm, startLogin, submitLogin } from '../sso.ts';
import type { Manifest } from '../stack.ts';

/** Repeated failed logins for one account are throttled at the IdP; another account is unaffected. */
export async function throttleChecks(manifest: Manifest, failures: number): Promise<Check[]> {
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

import { expect, shot, test } from '../fixtures/journey.ts';

test('revoking a user: the agent’s next call that needs a new token fails at once', async ({ console: page, stack }) => {
  // Setup through the admin API (ops client): IT also approved Acme Agent → CRM for everyone.
  const created = await stack.admin('/connections', {
    method: 'POST',
    body: { client_id: 'acme-agent', server: 'crm', scopes: ['crm.read'], audience: { kind: 'all' } },
  });
  expect(created.status).toBe(201);
  // dave (Sales) uses Acme Agent: Docs is open to everyone, so he can call it.
  await page.getByRole('link', { name: 'Agent' }).click();
  await page.locator('select[name="agent-user"]').selectOption('dave');
  await page.locator('select[name="agent-app"]').selectOption({ label: 'Acme Agent' });
  await page.getByRole('button', { name: 'Sign in (headless)' }).click();
  await expect(page.getByTestId('agent-session')).toContainText('dave');
  await page.locator('select[name="agent-server"]').selectOption({ label: 'Docs' });
  await page.locator('input[name="agent-tool"]').fill('search_docs');
  await page.locator('textarea[name="agent-args"]').fill('{"query": "runbook"}');
  await page.getByRole('button', { name: 'Call tool' }).click();
  const activity = page.getByTestId('agent-activity');
  await expect(activity.locator('li[data-kind="call"]').first()).toHaveAttribute('data-outcome', 'ok');

  // The admin disables dave: every session and refresh token ends, new token exchanges fail.
  await page.getByRole('link', { name: 'Directory' }).click();
  await page.getByRole('button', { name: 'Revoke sessions of dave' }).click();
  await expect(page.getByTestId('directory-message')).toContainText('Revoked every session');
  await page.getByRole('button', { name: 'Disable dave' }).click();
  await expect(page.getByTestId('user-dave')).toContainText('disabled');
  await shot(page, '13-directory-dave-disabled');

  // The agent's next call that needs a fresh ID-JAG (CRM: never connected) fails: the IdP refuses the exchange.
  await page.getByRole('link', { name: 'Agent' }).click();
  await page.locator('select[name="agent-server"]').selectOption({ label: 'CRM' });
  await page.locator('input[name="agent-tool"]').fill('find_account');
  await page.locator('textarea[name="agent-args"]').fill('{"name": "Globex"}');
  await page.getByRole('button', { name: 'Call tool' }).click();
  const failed = activity.locator('li[data-kind="call"]').first();
  await expect(failed).not.toHaveAttribute('data-outcome', 'pending');
  await expect(failed).not.toHaveAttribute('data-outcome', 'ok');
  await expect(failed).toContainText(/invalid_grant|login_required|access_denied/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '14-agent-call-fails-after-revoke');

  // And the live view shows why, with the IdP's refusal.
  await failed.getByRole('button', { name: /View trace/ }).click();
  await page
    .getByRole('listbox', { name: /Flow events/ })
    .getByRole('option')
    .first()
    .click();
  await expect(page.getByTestId('trace-failure')).toBeVisible();
  await shot(page, '15-live-revoked');
});

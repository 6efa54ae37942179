import { expect, shot, test } from '../fixtures/journey.ts';

test('policy simulator: decision, trace and the claims that would be minted, minting nothing', async ({ console: page, stack }) => {
  const auditBefore = await stack.admin<{ events: unknown[] }>('/audit?step=exchange.issued');
  await page.getByRole('link', { name: 'Policy simulator' }).click();
  await expect(page.getByRole('heading', { name: 'Policy simulator' })).toBeVisible();

  const form = page.locator('form').filter({ has: page.getByRole('heading', { name: 'Request' }) });
  await form.locator('select[name="user"]').selectOption({ label: 'bob · contractors' });
  await form.locator('select[name="client_id"]').selectOption({ label: 'Acme Agent' });
  await form.locator('select[name="server"]').selectOption({ label: `Tasks · ${stack.topology.servers[0]?.issuer}` });
  await page.getByRole('button', { name: 'Simulate' }).click();
  await expect(page.getByTestId('sim-decision')).toContainText('Deny');
  await expect(page.getByRole('list', { name: 'Decision trace' })).toBeVisible();
  await shot(page, '05-simulator-deny');

  await form.locator('select[name="user"]').selectOption({ label: 'alice · engineering' });
  await form.getByLabel('tasks.read').check();
  await page.getByRole('button', { name: 'Simulate' }).click();
  await expect(page.getByTestId('sim-decision')).toContainText('Allow');
  await expect(page.getByTestId('sim-decision')).toContainText('tasks.read');
  const claims = page.locator('pre.json').last();
  await expect(claims).toContainText('"aud"');
  await expect(claims).toContainText(stack.topology.servers[0]?.issuer as string);
  await expect(claims).toContainText('acme-agent-at-tasks');
  await shot(page, '06-simulator-allow');

  // Nothing was minted.
  const auditAfter = await stack.admin<{ events: unknown[] }>('/audit?step=exchange.issued');
  expect(auditAfter.body.events.length).toBe(auditBefore.body.events.length);
});

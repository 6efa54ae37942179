import { expect, shot, test } from '../fixtures/journey.ts';

test('effective access: which servers, which scopes, through which app, and why', async ({ console: page }) => {
  await page.getByRole('link', { name: 'Effective access' }).click();
  await expect(page.getByRole('heading', { name: 'Effective access' })).toBeVisible();
  await page.getByLabel('User').selectOption({ label: 'Alice Anders (alice) · engineering' });
  const allowed = page.getByRole('table', { name: 'Allowed access' });
  await expect(allowed.getByTestId('access-acme-agent-tasks')).toContainText('tasks.read');
  await expect(allowed.getByTestId('access-acme-agent-tasks')).toContainText('Acme Agent');
  await expect(allowed.getByTestId('access-acme-agent-tasks')).toContainText('connection');
  await shot(page, '03-effective-access-alice');

  // bob is a contractor: Tasks is for engineering and IT only.
  await page.getByLabel('User').selectOption({ label: 'Bob Brandt (bob) · contractors' });
  const denied = page.getByRole('table', { name: 'Denied access' });
  await expect(denied.getByTestId('access-acme-agent-tasks')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Allowed access' }).getByTestId('access-acme-agent-docs')).toBeVisible();
  await shot(page, '04-effective-access-bob');
});

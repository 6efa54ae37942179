import { expect, shot, test } from '../fixtures/journey.ts';

test('directory: users, groups, apps with their registration at each AS, MCP servers, signing keys', async ({ console: page, stack }) => {
  await page.getByRole('link', { name: 'Directory' }).click();
  const users = page.getByRole('table', { name: 'Users' });
  for (const u of ['alice', 'bob', 'carol', 'dave']) await expect(users.getByTestId(`user-${u}`)).toBeVisible();
  await expect(users.getByTestId('user-carol')).toContainText('admin');

  await page.getByRole('link', { name: /^Groups/ }).click();
  await expect(page.getByRole('table', { name: 'Groups' })).toContainText('Contractors');

  await page.getByRole('link', { name: /^Apps/ }).click();
  const apps = page.getByRole('table', { name: 'Apps' });
  // draft-04 §5: the app's client_id at each resource AS, as the IdP maps it into the ID-JAG.
  await expect(apps).toContainText('acme-agent-at-tasks');
  await expect(apps).not.toContainText(stack.topology.clients[0]?.idp.client_secret as string);
  await shot(page, '16-directory-apps');

  await page.getByRole('link', { name: /^MCP servers/ }).click();
  await expect(page.getByRole('table', { name: 'MCP servers' })).toContainText(stack.topology.servers[0]?.resource as string);

  await page.getByRole('link', { name: 'Signing keys' }).click();
  const keys = page.getByRole('table', { name: 'Signing keys' });
  await expect(keys).toContainText('signing');
  // Other journeys share this stack and may have rotated already: count, rotate, count again.
  const before = await keys.locator('tbody tr').count();
  await page.getByRole('button', { name: /Rotate signing key/ }).click();
  await expect(page.getByTestId('directory-message')).toContainText('Rotated');
  await expect(keys.locator('tbody tr')).toHaveCount(before + 1);
  await expect(keys).toContainText('signing');
  await expect(keys).toContainText('retired');
  await shot(page, '17-directory-keys-rotated');
});

import { readFileSync } from 'node:fs';
import { expect, shot, test } from '../fixtures/journey.ts';

test('audit log: admin changes and token decisions, searchable, exported as CSV and JSON', async ({ console: page, stack }) => {
  // An admin change made through the console, then a token decision made by the simulator-free path.
  await page.getByRole('link', { name: 'Directory' }).click();
  await page.getByRole('button', { name: /Rotate signing key/ }).click();
  await expect(page.getByTestId('directory-message')).toContainText('Rotated the IdP signing key');

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Audit log' });
  await expect(table).toContainText('rotated the signing key');
  await shot(page, '09-audit');
  await page.getByLabel('Kind').selectOption('admin.change');
  await page.getByLabel('Search').fill('rotated');
  await expect(table.locator('tbody tr')).toHaveCount(1);
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-step', 'admin.change');

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csvText = readFileSync((await csv.path()) as string, 'utf8');
  expect(csvText.split('\n')[0]).toMatch(/time/i);
  expect(csvText).toContain('rotated the signing key');

  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const rows = JSON.parse(readFileSync((await json.path()) as string, 'utf8')) as Array<{ step: string; summary: string }>;
  expect(rows.some((r) => r.step === 'admin.change' && r.summary.includes('rotated the signing key'))).toBe(true);
  // The export never holds a usable token.
  expect(JSON.stringify(rows)).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/);

  // A server's events too (its authorization server and MCP endpoint), exported by the console.
  await page.getByLabel('Kind').selectOption('');
  await page.getByLabel('Search').fill('');
  await page.getByLabel('Source').selectOption({ label: `${stack.topology.servers[0]?.title} AS + server (recent)` });
  await expect(page.getByTestId('audit-count')).toBeVisible();
  const [serverJson] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  expect(Array.isArray(JSON.parse(readFileSync((await serverJson.path()) as string, 'utf8')))).toBe(true);
});

/**
 * The AS attack scorecard from the console: carol runs it against the sample Tasks AS (the backend
 * fills in the playground's own client registration; its secret never reaches the browser) and the
 * AS scores 100%; the report explains a case and downloads as JUnit and JSON.
 */
import { readFileSync } from 'node:fs';
import { expect, shot, test } from '../fixtures/journey.ts';

test('the AS scorecard against Tasks from the console scores 100%', async ({ console: page, stack }) => {
  test.setTimeout(150_000);
  const secret = stack.topology.clients.find((c) => c.name === 'acme-agent')?.servers.tasks?.client_secret as string;
  expect(secret).toBeTruthy();
  const targets = page.waitForResponse((r) => r.url().endsWith('/api/scorecard/targets'));
  await page.getByRole('link', { name: 'AS scorecard' }).click();
  expect(await (await targets).text()).not.toContain(secret);
  await page.locator('select[name="sc-target"]').selectOption('tasks');
  await expect(page.locator('input[name="sc-issuer"]')).toHaveValue(stack.topology.servers.find((s) => s.name === 'tasks')?.issuer as string);
  await expect(page.locator('input[name="sc-client-id"]')).toHaveValue('acme-agent-at-tasks');
  await page.getByRole('button', { name: 'Run scorecard' }).click();
  const score = page.getByTestId('scorecard-score');
  await expect(score).toBeVisible({ timeout: 120_000 });
  await expect(score).toContainText('100%');
  await expect(score).toContainText('PASSED');
  await expect(page.getByTestId('scorecard-summary')).toContainText('0 failed');
  const rows = page.locator('tr.case');
  expect(await rows.count()).toBeGreaterThan(30);
  await expect(page.locator('tr[data-case="replay.jti"]')).toHaveAttribute('data-outcome', 'pass');
  expect(await page.content()).not.toContain(secret);

  // A case explains itself: why it matters and the clause.
  await page.locator('tr[data-case="signature.alg-none"]').getByRole('button').click();
  await expect(page.locator('tr.case-detail').first()).toContainText('Why it matters');
  await expect(page.locator('tr.case-detail').first()).toContainText('RFC 8725');
  await page.locator('tr[data-case="signature.alg-none"]').scrollIntoViewIfNeeded();
  await shot(page, '36-as-scorecard-cases');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '35-as-scorecard-tasks');

  // Downloads: JUnit XML and the JSON report.
  const [junit] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /JUnit/ }).click()]);
  expect(junit.suggestedFilename()).toMatch(/\.xml$/);
  const xml = readFileSync((await junit.path()) as string, 'utf8');
  expect(xml).toContain('<testsuite');
  expect(xml).not.toContain(secret);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /JSON/ }).click()]);
  const report = JSON.parse(readFileSync((await json.path()) as string, 'utf8')) as { summary: { score: number }; kind: string };
  expect(report).toMatchObject({ kind: 'as', summary: { score: 100 } });
});

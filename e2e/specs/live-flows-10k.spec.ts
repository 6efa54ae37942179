import { manyEvents } from '../../apps/console/src/components/LiveFlows/LiveFlows.fixtures.ts';
import { expect, shot, test } from '../fixtures/journey.ts';

test('live view stays responsive with 10,000 events (recorded FlowSource)', async ({ console: page }) => {
  await page.getByRole('link', { name: 'Live flows' }).click();
  await expect(page.getByRole('heading', { name: 'Live flows' })).toBeVisible();
  const recording = JSON.stringify({ version: 1, title: '10k demo recording', events: manyEvents(10_000) });
  await page.getByTestId('recording-input').setInputFiles({ name: 'ten-thousand.json', mimeType: 'application/json', buffer: Buffer.from(recording) });
  await expect(page.getByTestId('event-count')).toContainText('10,000 events');
  await expect(page.getByTestId('source-state')).toContainText('Recording');

  const list = page.getByRole('listbox', { name: /Flow events/ });
  // Virtualised: only the visible rows (plus overscan) are in the DOM.
  expect(await list.getByRole('option').count()).toBeLessThan(80);

  // Scroll to the top and back; rows render at once.
  await list.evaluate((el) => {
    el.scrollTop = 0;
  });
  await expect(list.getByRole('option').first()).toBeVisible();

  // Filtering 10,000 events is immediate enough for the next frame.
  const t0 = Date.now();
  await page.getByLabel('Filter by outcome').selectOption('denied');
  await expect(page.getByTestId('event-count')).not.toContainText('10,000 shown');
  expect(Date.now() - t0).toBeLessThan(3000);
  await expect(list.getByRole('option').first()).toHaveAttribute('data-outcome', 'denied');

  // A trace: the sequence diagram, the failure with its reason, the lineage.
  await list.getByRole('option').first().click();
  await expect(page.getByRole('list', { name: 'Sequence diagram' })).toBeVisible();
  await expect(page.getByTestId('trace-failure')).toContainText('access_denied');
  await page.getByRole('button', { name: '← All events' }).click();
  await page.getByLabel('Filter by outcome').selectOption('error');
  await list.getByRole('option').first().click();
  await expect(page.getByTestId('trace-failure')).toContainText('draft-04 §4.4.1');
  await expect(page.getByRole('region', { name: 'Token lineage' })).toContainText('ID-JAG');
  await shot(page, '08-live-flows-10k');

  // Pause holds new events; the page still answers while paused.
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: /Pause/ }).click();
  await expect(page.getByRole('button', { name: /Resume/ })).toBeVisible();
  await page.getByLabel('Filter by outcome').selectOption('');
  await expect(page.getByTestId('event-count')).toContainText('10,000 shown');

  // A step's token opens in the inspector (handed over in memory), decoded and linted there.
  await page.getByRole('button', { name: /Resume/ }).click();
  await page.getByLabel('Search').fill('ID-JAG issued');
  // Selecting the event expands its step (it is the one in the list).
  await list.getByRole('option').first().click();
  await expect(page.getByRole('list', { name: 'Sequence diagram' }).locator('[data-step="exchange.issued"]')).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Open in inspector →' }).click();
  await expect(page.getByRole('heading', { name: 'Token inspector' })).toBeVisible();
  await expect(page.getByLabel('JWT')).not.toHaveValue('');
  await expect(page.getByRole('list', { name: 'Lint findings' }).locator('[data-rule="typ"]')).toHaveAttribute('data-ok', 'true');
});

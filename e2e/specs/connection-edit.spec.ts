import { readFileSync } from 'node:fs';
import { expect, shot, test } from '../fixtures/journey.ts';

test('editing a connection: invalid input is shown inline, then the agent’s next connect is denied with the reason in the live view', async ({
  console: page,
}) => {
  // The agent signs in as alice with Acme Agent (real SSO at the IdP, headless) and reaches Docs.
  await page.getByRole('link', { name: 'Agent' }).click();
  await page.locator('select[name="agent-user"]').selectOption('alice');
  await page.locator('select[name="agent-app"]').selectOption({ label: 'Acme Agent' });
  await page.getByRole('button', { name: 'Sign in (headless)' }).click();
  await expect(page.getByTestId('agent-session')).toContainText('alice');
  await page.locator('select[name="agent-server"]').selectOption({ label: 'Docs' });
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const activity = page.getByTestId('agent-activity');
  await expect(activity.locator('li[data-kind="connect"]').first()).toHaveAttribute('data-outcome', 'ok');
  await shot(page, '10-agent-connected');

  // The admin narrows Acme Agent → Docs to the Sales group (alice is in Engineering).
  await page.getByRole('link', { name: 'Connections' }).click();
  await page.getByTestId('cell-acme-agent-docs').click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  // First an invalid edit: no scopes at all; the IdP's validation error appears inline.
  await dialog.getByLabel('docs.read').uncheck();
  await dialog.getByLabel('docs.write').uncheck();
  await dialog.getByRole('button', { name: 'Save connection' }).click();
  // Shown inside the scopes fieldset, where the mistake is.
  await expect(dialog.getByRole('group', { name: 'Allowed scopes' }).getByRole('alert')).toBeVisible();
  await shot(page, '11-connection-validation');
  await dialog.getByLabel('docs.read').check();
  await dialog.getByLabel('Groups').check();
  await dialog.getByLabel('Sales').check();
  await dialog.getByRole('button', { name: 'Save connection' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('cell-acme-agent-docs')).toContainText('groups: sales');

  // The agent's next connect is denied; its trace in the live view names the rule.
  await page.getByRole('link', { name: 'Agent' }).click();
  await page.locator('select[name="agent-server"]').selectOption({ label: 'Docs' });
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const denied = activity.locator('li[data-kind="connect"]').first();
  await expect(denied).toHaveAttribute('data-outcome', 'denied');
  await expect(denied).toContainText('access_denied');
  await denied.getByRole('button', { name: /View trace/ }).click();
  await expect(page.getByRole('heading', { name: 'Live flows' })).toBeVisible();
  await page
    .getByRole('listbox', { name: /Flow events/ })
    .getByRole('option')
    .first()
    .click();
  const failure = page.getByTestId('trace-failure');
  await expect(failure).toContainText('access_denied');
  await expect(failure).toContainText('exchange.decision');
  await expect(failure).toContainText('audience');
  await shot(page, '12-live-denied-after-edit');

  // Record and replay (presenter mode): save what is shown, load it back, see the same explanation.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save recording' }).click()]);
  const saved = readFileSync((await download.path()) as string);
  const recording = JSON.parse(saved.toString('utf8')) as { events: Array<{ step: string }> };
  expect(recording.events.some((e) => e.step === 'exchange.decision')).toBe(true);
  await page.getByTestId('recording-input').setInputFiles({ name: 'denied.json', mimeType: 'application/json', buffer: saved });
  await expect(page.getByTestId('source-state')).toContainText('Recording');
  await page
    .getByRole('listbox', { name: /Flow events/ })
    .getByRole('option')
    .first()
    .click();
  await expect(page.getByTestId('trace-failure')).toContainText('access_denied');
});

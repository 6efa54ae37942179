import { expect, shot, test } from '../fixtures/journey.ts';

test.use({ viewport: { width: 1280, height: 720 } });

test("live flows: the console's own traffic is hidden by default, one switch shows it; a trace reads as a sequence diagram", async ({ console: page }) => {
  // Signing in to the console made its own sign-in (sso.*) and one refresh-token grant per admin API.
  await page.getByRole('link', { name: 'Live flows' }).click();
  await expect(page.getByTestId('event-count')).toContainText('console events hidden');
  const list = page.getByRole('listbox', { name: /Flow events/ });
  const consoleRows = list.getByRole('option').filter({ hasText: 'xaa-console' });
  await expect(consoleRows).toHaveCount(0);
  const toggle = page.getByRole('switch', { name: 'Show console traffic' });
  await expect(toggle).not.toBeChecked();
  await toggle.check();
  await expect(list.getByRole('option').filter({ hasText: 'xaa-console redeemed a refresh token' }).first()).toBeVisible();
  await expect(page.getByTestId('event-count')).not.toContainText('hidden');
  await toggle.uncheck();
  await expect(consoleRows).toHaveCount(0);

  // A real action: alice signs in with Acme Agent (headless) and connects to Docs.
  await page.getByRole('link', { name: 'Agent' }).click();
  await page.locator('select[name="agent-user"]').selectOption('alice');
  await page.locator('select[name="agent-app"]').selectOption({ label: 'Acme Agent' });
  await page.getByRole('button', { name: 'Sign in (headless)' }).click();
  await expect(page.getByTestId('agent-session')).toContainText('alice');
  await page.locator('select[name="agent-server"]').selectOption({ label: 'Docs' });
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const connect = page.getByTestId('agent-activity').locator('li[data-kind="connect"]').first();
  await expect(connect).toHaveAttribute('data-outcome', 'ok');
  await connect.getByRole('button', { name: /View trace/ }).click();
  await list.getByRole('option').first().click();

  // The trace as a sequence diagram: IdP · Client · AS · MCP server, arrows between the parties.
  const diagram = page.getByRole('list', { name: 'Sequence diagram' });
  await expect(diagram).toBeVisible();
  await expect(page.locator('.seq-head')).toHaveText(['IdP', 'Client', 'AS · docs', 'MCP · docs']);
  await expect(diagram.locator('[data-step="exchange.issued"][data-from="idp"][data-to="client"]')).toHaveCount(1);
  await expect(diagram.locator('[data-step="bearer.issued"][data-from="as"][data-to="client"]')).toHaveCount(1);
  await expect(diagram.locator('[data-step="discovery"][data-to="mcp"]').first()).toBeVisible();
  // The AS's one-event-per-check run folds into one row that opens on demand.
  const checks = diagram.locator('[data-group][data-step="bearer.check"]');
  await expect(checks).toBeVisible();
  await checks.click();
  await expect(diagram.locator('button[data-step="bearer.check"]:not([data-group])').first()).toBeVisible();
  // No failure to explain in a trace that succeeded (the first 401 starts discovery, RFC 9728 §5).
  await expect(page.getByTestId('trace-failure')).toHaveCount(0);

  // A step's detail opens beside the diagram.
  const issued = diagram.locator('[data-step="exchange.issued"]');
  await issued.click();
  await expect(issued).toHaveAttribute('aria-pressed', 'true');
  const detail = page.getByRole('region', { name: 'Step exchange.issued' });
  await expect(detail).toBeVisible();
  const d = await diagram.boundingBox();
  const s = await detail.boundingBox();
  expect(s && d && s.x >= d.x + d.width).toBe(true);
  // Legible on a 1280×720 projector: step names at 14 px or more, nothing wider than the window.
  const fontPx = await issued.locator('.seq-name').evaluate((el) => Number.parseFloat(getComputedStyle(el).fontSize));
  expect(fontPx).toBeGreaterThanOrEqual(14);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
  await issued.scrollIntoViewIfNeeded();
  await shot(page, '20-live-sequence-diagram-1280x720');

  // ↓ moves to the next step (presenting without a mouse); Escape goes back to the list, where the opened event is marked.
  await issued.focus();
  await page.keyboard.press('ArrowDown');
  await expect(issued).toHaveAttribute('aria-pressed', 'false');
  await expect(diagram.locator('button[aria-pressed="true"]')).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(list).toBeVisible();
  await expect(list.locator('[role="option"][aria-selected="true"]')).toBeVisible();
});

/**
 * The demo stories told from the console: on a fresh stack, carol runs every scenario to its end
 * through the Scenarios page and every step passes; the consent-vs-XAA comparison shows a consent
 * screen per classic server and none with XAA; the presenter view tells a story with the keyboard.
 */
import { expect, shot, test } from '../fixtures/journey.ts';

/** In the order the page lists them (docs/decisions.md §7). */
const STORIES = [
  'consent-vs-xaa',
  'contractor-denied',
  'scope-narrowed',
  'unapproved-agent',
  'revoked-mid-session',
  'replay-blocked',
  'stolen-token',
  'key-rotation',
  'saml-same-policy',
];

test.describe.configure({ mode: 'serial' });
// The stories start from the seeded world: a playground of their own, untouched by other journeys.
test.use({ stackKey: 'scenarios' });

test('the Scenarios page lists every story with its summary', async ({ console: page }) => {
  await page.getByRole('link', { name: 'Scenarios' }).click();
  await expect(page.getByRole('heading', { name: 'Scenarios', level: 1 })).toBeVisible();
  const cards = page.getByRole('list', { name: 'Stories' }).getByRole('button');
  await expect(cards).toHaveCount(STORIES.length);
  const ids = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')?.replace(/^scenario-/, '')));
  expect(ids).toEqual(STORIES);
  // Opening a story shows its steps, none run yet.
  await page.getByTestId('scenario-contractor-denied').click();
  await expect(page.getByRole('heading', { name: 'Contractor denied', level: 2 })).toBeVisible();
  await expect(page.locator('li[data-status="pending"]').first()).toBeVisible();
});

for (const id of STORIES) {
  test(`${id}: runs to its end through the console, every step passed`, async ({ console: page, stack }) => {
    test.setTimeout(150_000);
    await page.goto(`${stack.consoleUrl}/scenarios?story=${id}`);
    const runner = page.locator('section.scenario-runner');
    await expect(runner).toBeVisible();
    const steps = runner.locator('li.scenario-step');
    const total = await steps.count();
    expect(total).toBeGreaterThan(1);
    await runner.getByRole('button', { name: 'Run to the end' }).click();
    await expect(runner).toHaveAttribute('data-phase', /done|failed/, { timeout: 120_000 });
    const statuses = await steps.evaluateAll((els) =>
      els.map((e) => `${e.getAttribute('data-status')}: ${e.querySelector('h3')?.textContent} — ${e.querySelector('.scenario-result')?.textContent ?? ''}`),
    );
    expect(
      statuses.filter((s) => !s.startsWith('passed')),
      statuses.join('\n'),
    ).toEqual([]);
    await expect(runner).toHaveAttribute('data-phase', 'done');
    await expect(page.getByTestId('scenario-phase')).toContainText('ran to its end');

    if (id === 'consent-vs-xaa') {
      // Tasks + Docs the classic way: at least one consent screen per server; with XAA none.
      const table = runner.getByTestId('comparison');
      await expect(table).toBeVisible();
      const consent = table.locator('tr[data-row="Consent screens"]');
      const classic = Number(await consent.locator('[data-col="classic"]').textContent());
      const xaa = Number(await consent.locator('[data-col="xaa"]').textContent());
      expect(classic).toBeGreaterThanOrEqual(2);
      expect(xaa).toBe(0);
      await table.scrollIntoViewIfNeeded();
      await shot(page, '30-scenarios-consent-vs-xaa');
      // A step links to its trace in the live view.
      await runner
        .getByTestId('step-xaa')
        .getByRole('button', { name: /View trace/ })
        .click();
      await expect(page).toHaveURL(/\/flows$/);
      await expect(page.getByRole('button', { name: 'Show all traces' })).toBeVisible();
      await expect(
        page
          .getByRole('listbox', { name: /Flow events/ })
          .getByRole('option')
          .first(),
      ).toBeVisible();
    }
    if (id === 'scope-narrowed') {
      // The story ran with carol's own admin tokens: the IdP's audit names her for the connection edit.
      const audit = await stack.admin<{ events: Array<{ summary: string }> }>('/audit?step=admin.change&limit=50');
      const edit = audit.body.events.find((e) => /updated connection acme-agent → docs/.test(e.summary));
      expect(edit?.summary).toMatch(/^carol: /);
    }
    if (id === 'revoked-mid-session') {
      // The last issued access token's death, counted down live in seconds.
      const countdown = runner.getByTestId('countdown').first();
      await expect(countdown).toBeVisible();
      const first = Number(await countdown.getAttribute('data-left'));
      expect(first).toBeGreaterThan(0);
      await expect.poll(async () => Number(await countdown.getAttribute('data-left')), { timeout: 5_000 }).toBeLessThan(first);
      await countdown.scrollIntoViewIfNeeded();
      await shot(page, '31-scenarios-revoked-countdown');
    }
  });
}

test('the presenter view tells a story with the keyboard, in large type', async ({ console: page, stack }) => {
  test.setTimeout(150_000);
  await page.goto(`${stack.consoleUrl}/scenarios?story=consent-vs-xaa`);
  await page.getByRole('link', { name: /Present/ }).click();
  const presenter = page.getByTestId('presenter');
  await expect(presenter).toBeVisible();
  // Outside the console's shell: no sidebar.
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await expect(presenter.getByRole('heading', { name: 'Consent screens vs XAA' })).toBeVisible();
  await shot(page, '32-presenter-title');

  // Space: step 1 (after the story's reset); →: step 2.
  await page.keyboard.press('Space');
  await expect(presenter.getByRole('heading', { name: 'Alice signs in once at the company IdP' })).toBeVisible();
  await expect(presenter.getByTestId('presenter-result')).toBeVisible({ timeout: 30_000 });
  await page.keyboard.press('ArrowRight');
  await expect(presenter.getByRole('heading', { name: 'Before XAA: each server asks separately' })).toBeVisible();
  await expect(presenter.getByTestId('presenter-result')).toContainText('consent screens', { timeout: 60_000 });
  await expect(presenter.locator('.presenter-dots .dot-passed')).toHaveCount(2);
  // Large type: the step title is at least ~40 px on a 1440×900 screen.
  const size = await presenter.locator('.presenter-title').evaluate((e) => Number.parseFloat(getComputedStyle(e).fontSize));
  expect(size).toBeGreaterThanOrEqual(40);
  await shot(page, '33-presenter-mid-story');

  await page.keyboard.press('Space');
  await expect(presenter.locator('.presenter-dots .dot-passed')).toHaveCount(3, { timeout: 60_000 });
  await page.keyboard.press('Space');
  const table = presenter.getByTestId('comparison');
  await expect(table).toBeVisible({ timeout: 30_000 });
  await expect(table.locator('tr[data-row="Consent screens"] [data-col="xaa"]')).toHaveText('0');
  await expect(presenter).toHaveAttribute('data-phase', 'done');
  // The comparison fits on the stage without scrolling: above the footer, nothing cut off.
  const box = await table.boundingBox();
  const footer = await presenter.locator('.presenter-bottom').boundingBox();
  expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(footer?.y ?? 0);
  expect(await presenter.locator('.presenter-stage').evaluate((e) => e.scrollHeight <= e.clientHeight)).toBe(true);
  await shot(page, '34-presenter-comparison');

  // R restarts (the story's reset), Esc goes back to the page with the run.
  await page.keyboard.press('r');
  await expect(presenter.getByRole('heading', { name: 'Consent screens vs XAA' })).toBeVisible({ timeout: 30_000 });
  await expect(presenter.locator('.presenter-dots .dot-passed')).toHaveCount(0);
  await page.keyboard.press('Space');
  await expect(presenter.locator('.presenter-dots .dot-passed')).toHaveCount(1, { timeout: 30_000 });
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/\/scenarios\?story=consent-vs-xaa&run=/);
  await expect(page.getByTestId('step-sso')).toHaveAttribute('data-status', 'passed');
  await expect(page.getByTestId('step-classic')).toHaveAttribute('data-status', 'pending');
});

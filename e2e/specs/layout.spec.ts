import { expect, shot, test } from '../fixtures/journey.ts';

const PAGES = ['/connections', '/access', '/simulator', '/directory', '/flows', '/audit', '/inspector', '/agent', '/scorecard', '/scenarios'];

for (const size of [
  { width: 1280, height: 720 },
  { width: 800, height: 720 },
]) {
  test(`layout at ${size.width}×${size.height}: no page scrolls sideways, the sidebar spans the page`, async ({ console: page, stack }) => {
    await page.setViewportSize(size);
    for (const path of PAGES) {
      await page.goto(`${stack.consoleUrl}${path}`);
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      await page.waitForLoadState('networkidle');
      const m = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        docHeight: document.documentElement.scrollHeight,
        sidebar: document.querySelector('nav.sidebar')?.getBoundingClientRect().height ?? 0,
      }));
      expect(m.scrollWidth, `${path} scrolls sideways`).toBeLessThanOrEqual(m.clientWidth);
      expect(Math.abs(m.sidebar - m.docHeight), `${path}: sidebar ${m.sidebar}px, page ${m.docHeight}px`).toBeLessThanOrEqual(1);
      // The sign-out button stays reachable in the sidebar without scrolling it.
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' })).toBeInViewport();
      await shot(page, `layout-${size.width}${path.replace(/\//g, '-')}`);
    }
    // A page taller than the window (the audit log): the dark sidebar still reaches the bottom.
    await page.goto(`${stack.consoleUrl}/audit`);
    await expect(page.getByRole('table').first()).toBeVisible();
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const tall = await page.evaluate(() => ({
      docHeight: document.documentElement.scrollHeight,
      viewport: window.innerHeight,
      sidebarBottom: (document.querySelector('nav.sidebar')?.getBoundingClientRect().bottom ?? 0) + window.scrollY,
    }));
    expect(tall.docHeight).toBeGreaterThan(tall.viewport);
    expect(Math.abs(tall.sidebarBottom - tall.docHeight)).toBeLessThanOrEqual(1);
    await shot(page, `layout-${size.width}-audit-bottom`);
  });
}

test('the presenter view stays full-screen, outside the shell', async ({ console: page, stack }) => {
  await page.goto(`${stack.consoleUrl}/present/consent-vs-xaa`);
  await expect(page.getByTestId('presenter')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
});

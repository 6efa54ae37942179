import { expect, shot, test } from '../fixtures/journey.ts';

test('classic "before XAA": Wiki signs the user in through the company IdP (the SSO hop), then shows its own consent screen', async ({
  console: page,
  browser,
}) => {
  await page.getByRole('link', { name: 'Agent' }).click();
  await page.locator('select[name="agent-user"]').selectOption('dave');
  await page.locator('select[name="agent-app"]').selectOption({ label: 'Acme Agent' });
  await page.getByRole('button', { name: 'Sign in (headless)' }).click();
  await expect(page.getByTestId('agent-session')).toContainText('dave');

  // Wiki has no XAA: the agent hands back Wiki's authorization page.
  await page.locator('select[name="agent-server"]').selectOption({ label: 'Wiki (classic)' });
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const link = page.getByTestId('agent-activity').locator('li[data-kind="connect"]').first().getByTestId('agent-link');
  await expect(link).toContainText('Approve at Wiki');
  const approveUrl = (await link.getAttribute('href')) as string;

  // dave's own browser: Wiki sends him to the company IdP first ("Sign in with Acme SSO")…
  const davesBrowser = await browser.newContext();
  const tab = await davesBrowser.newPage();
  await tab.goto(approveUrl);
  await expect(tab.getByRole('heading', { name: 'Sign in to Acme Workforce' })).toBeVisible();
  await expect(tab.locator('body')).toContainText('Wiki (sign-in)');
  await tab.locator('#username').fill('dave');
  await tab.locator('#password').fill('demo');
  await tab.getByRole('button', { name: 'Sign in', exact: true }).click();
  // …then Wiki's own consent screen, for the same person the IdP signed in.
  await expect(tab.getByRole('heading', { name: /Allow .* to access Wiki\?/ })).toBeVisible();
  await expect(tab.locator('body')).toContainText('Signed in as dave');
  await shot(tab, '33-classic-consent-after-sso');
  await tab.getByRole('button', { name: 'Allow' }).click();
  await expect(tab.getByRole('heading', { name: /Done/ })).toBeVisible();
  await davesBrowser.close();

  // The live view shows the hop at Wiki's AS: out to the IdP, and back with the IdP's subject.
  await page.getByRole('link', { name: 'Live flows' }).click();
  await page.getByPlaceholder(/step, summary/).fill('company IdP');
  const events = page.getByRole('listbox', { name: /Flow events/ });
  await expect(events).toContainText('sends the user to the company IdP');
  await expect(events).toContainText('Signed in through the company IdP as dave');
  await shot(page, '34-live-classic-sso-hop');
});

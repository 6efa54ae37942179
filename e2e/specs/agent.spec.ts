import { expect, shot, test } from '../fixtures/journey.ts';

test('agent panel: sign in through the real IdP login page, connect, call a tool, see it in the live view', async ({ console: page, browser }) => {
  await page.getByRole('link', { name: 'Agent' }).click();
  await page.locator('select[name="agent-user"]').selectOption('bob');
  await page.locator('select[name="agent-app"]').selectOption({ label: 'Acme Chat' });
  // The agent API returns the IdP's authorization URL; the console offers it as a link.
  await page.getByRole('button', { name: 'Sign in at the IdP page…' }).click();
  const authorizeUrl = (await page.getByTestId('agent-link').getAttribute('href')) as string;
  expect(authorizeUrl).toContain('/authorize?');
  // bob opens it in his own browser (this one is carol's, already signed in at the IdP).
  const bobsBrowser = await browser.newContext();
  const idpPage = await bobsBrowser.newPage();
  await idpPage.goto(authorizeUrl);
  await idpPage.locator('#username').fill('bob');
  await idpPage.locator('#password').fill('demo');
  await idpPage.getByRole('button', { name: 'Sign in', exact: true }).click();
  // The IdP redirects to the agent's /callback, which finishes the login (no consent screen at the IdP).
  await expect(idpPage.getByRole('heading', { name: /Done/ })).toBeVisible();
  await bobsBrowser.close();
  await expect(page.getByTestId('agent-session')).toContainText('bob');

  await page.locator('select[name="agent-server"]').selectOption({ label: 'Docs' });
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const activity = page.getByTestId('agent-activity');
  await expect(activity.locator('li[data-kind="connect"]').first()).toHaveAttribute('data-outcome', 'ok');
  // The connected server's tools are offered in a list; the arguments form comes from the tool's input schema.
  await page.locator('select[name="agent-tool"]').selectOption('search_docs');
  const form = page.getByTestId('tool-args');
  await expect(form.locator('[data-arg="query"]')).toContainText('*');
  await expect(page.locator('#arg-query')).toHaveAttribute('aria-required', 'true');
  // A required argument left empty is named before anything is sent.
  await page.getByRole('button', { name: 'Call tool' }).click();
  await expect(form.locator('[data-arg="query"] .field-error')).toHaveText('Required.');
  await page.locator('#arg-query').fill('onboarding');
  // Raw JSON is still there, and carries what the form holds.
  await page.getByRole('button', { name: 'Edit as JSON' }).click();
  await expect(page.locator('textarea[name="agent-args"]')).toHaveValue(/"query": "onboarding"/);
  await page.getByRole('button', { name: 'Edit as form' }).click();
  await expect(page.locator('#arg-query')).toHaveValue('onboarding');
  await shot(page, '17-agent-tool-form');
  await page.getByRole('button', { name: 'Call tool' }).click();
  const call = activity.locator('li[data-kind="call"]').first();
  await expect(call).toHaveAttribute('data-outcome', 'ok');
  await expect(call).toContainText('Onboarding checklist');
  await shot(page, '18-agent-tool-call');

  // The call's trace: ID token → ID-JAG → access token → the tool call, across the four lanes.
  await call.getByRole('button', { name: /View trace/ }).click();
  await page
    .getByRole('listbox', { name: /Flow events/ })
    .getByRole('option')
    .last()
    .click();
  const lineage = page.getByRole('region', { name: 'Token lineage' });
  await expect(lineage.locator('[data-role="tool_call"]')).toContainText('search_docs');
  await shot(page, '19-live-tool-call-trace');
});

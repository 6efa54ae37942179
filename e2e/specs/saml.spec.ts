import { expect, shot, test } from '../fixtures/journey.ts';

test('agent panel over SAML 2.0: sign in at the IdP as Acme Desktop, connect, call a tool, see the SAML steps in the live view', async ({
  console: page,
  browser,
}) => {
  await page.getByRole('link', { name: 'Agent' }).click();
  await page.locator('select[name="agent-user"]').selectOption('alice');
  await page.locator('select[name="agent-app"]').selectOption({ label: 'Acme Desktop' });
  await page.locator('select[name="agent-protocol"]').selectOption('saml');
  // The agent API returns the SAML AuthnRequest URL (HTTP-Redirect binding); the console offers it as a link.
  await page.getByRole('button', { name: 'Sign in at the IdP page…' }).click();
  const ssoUrl = (await page.getByTestId('agent-link').getAttribute('href')) as string;
  expect(ssoUrl).toContain('/saml/sso?SAMLRequest=');
  // alice opens it in her own browser: the IdP login page, then the IdP posts the signed Response to the agent's ACS.
  const alicesBrowser = await browser.newContext();
  const idpPage = await alicesBrowser.newPage();
  await idpPage.goto(ssoUrl);
  await idpPage.locator('#username').fill('alice');
  await idpPage.locator('#password').fill('demo');
  await idpPage.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(idpPage.getByRole('heading', { name: /Done/ })).toBeVisible({ timeout: 30_000 });
  await expect(idpPage.locator('body')).toContainText('Signed in with SAML as alice');
  await alicesBrowser.close();
  await expect(page.getByTestId('agent-session')).toContainText('alice');

  // Connect and call through ID-JAGs minted from the refresh token the Assertion was exchanged for.
  await page.locator('select[name="agent-server"]').selectOption({ label: 'Tasks' });
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const activity = page.getByTestId('agent-activity');
  await expect(activity.locator('li[data-kind="connect"]').first()).toHaveAttribute('data-outcome', 'ok');
  // Connected: the tool is picked from the server's list (its arguments form follows the input schema).
  await page.locator('select[name="agent-tool"]').selectOption('list_tasks');
  await page.getByRole('button', { name: 'Call tool' }).click();
  await expect(activity.locator('li[data-kind="call"]').first()).toHaveAttribute('data-outcome', 'ok');
  await shot(page, '30-agent-saml-tool-call');

  // The sign-in's trace: the AuthnRequest, the Response accepted by the agent's SP, the IdP's checks of
  // the Assertion (signature, issuer, conditions, audience) and the refresh token it was exchanged for.
  await activity
    .locator('li[data-kind="login"]')
    .first()
    .getByRole('button', { name: /View trace/ })
    .click();
  const events = page.getByRole('listbox', { name: /Flow events/ });
  await expect(events).toContainText('SAML AuthnRequest');
  await expect(events).toContainText('SAML Response accepted');
  await expect(events).toContainText('SAML assertion for alice verified');
  await expect(events).toContainText('IdP refresh token for alice');
  await events.getByRole('option').filter({ hasText: 'SAML assertion for alice verified' }).click();
  await expect(page.locator('body')).toContainText('saml_assertion');
  await shot(page, '31-live-saml-sign-in-trace');

  // The connect's trace: the IdP minted the ID-JAG from the refresh token (saml2 → refresh token → ID-JAG).
  await page.getByRole('link', { name: 'Agent' }).click();
  await page
    .getByTestId('agent-activity')
    .locator('li[data-kind="connect"]')
    .first()
    .getByRole('button', { name: /View trace/ })
    .click();
  await expect(page.getByRole('listbox', { name: /Flow events/ })).toContainText('ID-JAG');
});

test('Directory → SAML shows the IdP entity, its signing certificate and the SAML apps', async ({ console: page }) => {
  await page.getByRole('link', { name: 'Directory' }).click();
  await page.getByRole('navigation', { name: 'Directory sections' }).getByRole('link', { name: 'SAML' }).click();
  const panel = page.getByTestId('saml-panel');
  await expect(panel).toContainText('/saml/metadata');
  await expect(panel.getByRole('table', { name: 'SAML signing certificates' })).toContainText('signing');
  await expect(panel.getByRole('table', { name: 'SAML apps' })).toContainText('acme-desktop');
  await shot(page, '32-directory-saml');
  // An OIDC app gets a SAML registration too (an app is OIDC, SAML or both), then loses it again.
  await panel.locator('select[name="saml-app"]').selectOption({ label: 'Acme Chat' });
  await panel.locator('input[name="saml-entity-id"]').fill('https://chat.acme.test/saml');
  await panel.locator('input[name="saml-acs"]').fill('https://chat.acme.test/saml/acs');
  await panel.getByRole('button', { name: 'Save SAML registration' }).click();
  await expect(page.getByTestId('directory-message')).toContainText('Saved the SAML registration of acme-chat');
  const row = panel.getByRole('table', { name: 'SAML apps' }).getByRole('row').filter({ hasText: 'acme-chat' });
  await expect(row).toContainText('https://chat.acme.test/saml');
  await row.getByRole('button', { name: 'Remove' }).click();
  await expect(panel.getByRole('table', { name: 'SAML apps' })).not.toContainText('acme-chat');
});

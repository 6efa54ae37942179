import { expect, shot, signIn, test } from '../fixtures/journey.ts';

test.describe('admin sign-in (OIDC code + PKCE at the IdP)', () => {
  test('an IdP admin (carol) signs in and lands on the connections matrix', async ({ page, stack }) => {
    await signIn(page, stack, 'carol');
    await expect(page.getByRole('heading', { name: 'Connections' })).toBeVisible();
    await expect(page.getByText('Carol Chen')).toBeVisible();
    // The session is an HttpOnly cookie; nothing token-like is in browser storage.
    const cookies = await page.context().cookies(stack.consoleUrl);
    expect(cookies.find((c) => c.name === 'xaa_console_sid')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    expect(storage).not.toMatch(/eyJ/);
    await expect(page.getByTestId('cell-acme-agent-tasks')).toContainText('tasks.read');
    await shot(page, '01-connections');
  });

  test('a non-admin (alice) is refused with a clear page', async ({ page, stack }) => {
    await signIn(page, stack, 'alice');
    await expect(page.getByRole('heading', { name: 'Access refused' })).toBeVisible();
    await expect(page.getByText('You signed in as alice')).toBeVisible();
    // No session was kept: the API still says signed out.
    const session = await page.request.get(`${stack.consoleUrl}/api/session`);
    expect(await session.json()).toEqual({ signedIn: false });
    await shot(page, '02-refused-non-admin');
  });

  test('signing out ends the session', async ({ console: page, stack }) => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => !u.href.startsWith(`${stack.consoleUrl}/connections`));
    const session = await page.request.get(`${stack.consoleUrl}/api/session`);
    expect(await session.json()).toEqual({ signedIn: false });
  });
});

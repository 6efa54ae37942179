/**
 * A connection that requires DPoP (RFC 9449), set in the console's connection editor: the matrix says
 * so, the sample agent's next connect is first refused by the IdP with invalid_dpop_proof, sends the
 * exchange again with a proof of its session key, and the live view shows one key from the ID-JAG's
 * cnf to the access token's.
 */
import { expect, shot, test } from '../fixtures/journey.ts';

test('require DPoP on a connection: the agent binds its tokens, the lineage shows one key', async ({ console: page, stack }) => {
  test.setTimeout(120_000);
  try {
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByTestId('cell-acme-agent-tasks').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Require DPoP').check();
    await dialog.getByRole('button', { name: 'Save connection' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId('cell-acme-agent-tasks')).toContainText('DPoP required');
    await shot(page, '44-connection-requires-dpop');

    await page.getByRole('link', { name: 'Agent' }).click();
    await page.locator('select[name="agent-user"]').selectOption('alice');
    await page.locator('select[name="agent-app"]').selectOption({ label: 'Acme Agent' });
    await page.getByRole('button', { name: 'Sign in (headless)' }).click();
    await expect(page.getByTestId('agent-session')).toContainText('alice');
    await page.locator('select[name="agent-server"]').selectOption({ label: 'Tasks' });
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const connected = page.getByTestId('agent-activity').locator('li[data-kind="connect"]').first();
    await expect(connected).toHaveAttribute('data-outcome', 'ok');

    await connected.getByRole('button', { name: /View trace/ }).click();
    await expect(page.getByRole('heading', { name: 'Live flows' })).toBeVisible();
    await page
      .getByRole('listbox', { name: /Flow events/ })
      .getByRole('option')
      .first()
      .click();
    const lineage = page.getByRole('region', { name: 'Token lineage' });
    const keys = lineage.getByTestId('lineage-key');
    await expect(keys.first()).toBeVisible();
    const jkts = (await keys.evaluateAll((els) => els.map((e) => e.getAttribute('data-jkt')))).filter(Boolean);
    expect(jkts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(jkts).size).toBe(1);
    await shot(page, '45-require-dpop-lineage');
  } finally {
    const { body } = await stack.admin<{ connections: Array<{ id: string }> }>('/connections?client_id=acme-agent&server=tasks');
    for (const c of body.connections) await stack.admin(`/connections/${encodeURIComponent(c.id)}`, { method: 'PATCH', body: { require_dpop: false } });
  }
});

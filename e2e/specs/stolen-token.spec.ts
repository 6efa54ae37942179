/**
 * "Stolen token" (RFC 9449), told from the console: carol runs the story; the same copied access
 * token replayed from another process is accepted when it is a bearer token and refused when it is
 * DPoP-bound, side by side. The live view follows the key along the lineage (ID-JAG cnf → access
 * token cnf → the call's proof) and names the check the thief's proof failed; the token inspector
 * explains `cnf`.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { expect, shot, test } from '../fixtures/journey.ts';

test('stolen token: the bearer copy works for the thief, the DPoP-bound copy does not; the live view shows why', async ({ console: page, stack }) => {
  test.setTimeout(150_000);
  await page.goto(`${stack.consoleUrl}/scenarios?story=stolen-token`);
  const runner = page.locator('section.scenario-runner');
  await expect(runner.getByRole('heading', { name: 'Stolen token', level: 2 })).toBeVisible();
  await runner.getByRole('button', { name: 'Run to the end' }).click();
  await expect(runner).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
  await expect(runner.locator('li.scenario-step[data-status="passed"]')).toHaveCount(3);

  // Side by side: the same replay against a bearer token and a DPoP-bound one.
  const table = runner.getByTestId('comparison');
  await expect(table.locator('th.classic')).toHaveText('Bearer token (bound to nothing)');
  await expect(table.locator('th.xaa')).toHaveText('DPoP-bound token');
  await expect(table.locator('tr[data-row="Thief, as Bearer"] [data-col="classic"]')).toHaveText('200 accepted');
  await expect(table.locator('tr[data-row="Thief, as Bearer"] [data-col="xaa"]')).toHaveText('401 invalid_token');
  await expect(table.locator('tr[data-row="Thief, with its own proof"] [data-col="xaa"]')).toHaveText('401 invalid_dpop_proof');
  await table.scrollIntoViewIfNeeded();
  await shot(page, '40-stolen-token-side-by-side');

  // The replay's trace: the MCP server's refusal names the failed RFC 9449 check.
  await runner
    .getByTestId('step-steal')
    .getByRole('button', { name: /View trace/ })
    .click();
  await expect(page).toHaveURL(/\/flows$/);
  const events = page.getByRole('listbox', { name: /Flow events/ }).getByRole('option');
  await events.first().click();
  const failure = page.getByTestId('trace-failure');
  await expect(failure).toContainText('invalid_dpop_proof');
  await expect(failure).toContainText('cnf.jkt');
  await expect(failure).toContainText('RFC 9449 §4.3 step 12');
  await expect(page.getByTestId('step-check')).toContainText('Proof key = the key the token is bound to');
  await shot(page, '41-stolen-token-failed-check');

  // The bound token's own trace: one key from the ID-JAG to the tool call.
  await page.goBack();
  await expect(runner).toHaveAttribute('data-phase', 'done');
  await runner
    .getByTestId('step-dpop')
    .getByRole('button', { name: /View trace/ })
    .click();
  await expect(page).toHaveURL(/\/flows$/);
  await events.first().click();
  const keys = page.getByRole('region', { name: 'Token lineage' }).getByTestId('lineage-key');
  await expect(keys).toHaveCount(3);
  const jkts = await keys.evaluateAll((els) => els.map((e) => e.getAttribute('data-jkt')));
  expect(jkts[0]).toBeTruthy();
  expect(new Set(jkts).size).toBe(1);
  await expect(page.getByRole('region', { name: 'Token lineage' }).getByText('same key')).toHaveCount(2);
  await shot(page, '42-stolen-token-key-lineage');
});

test('the token inspector shows cnf and explains the key binding', async ({ console: page, stack }) => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jkt = await calculateJwkThumbprint(await exportJWK(publicKey));
  const now = Math.floor(Date.now() / 1000);
  const bound = await new SignJWT({
    iss: stack.topology.servers[0]?.issuer,
    sub: 'u',
    aud: 'http://x/mcp',
    client_id: 'c',
    jti: 'j',
    iat: now,
    exp: now + 300,
    cnf: { jkt },
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .sign(privateKey);
  await page.getByRole('link', { name: 'Token inspector' }).click();
  await page.getByLabel('JWT').fill(bound);
  const binding = page.getByTestId('key-binding');
  await expect(binding).toHaveAttribute('data-binding', 'dpop');
  await expect(binding).toContainText(jkt);
  await expect(binding).toContainText('Authorization: DPoP');
  await shot(page, '43-inspector-cnf');
});

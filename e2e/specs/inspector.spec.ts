import { generateKeyPair, SignJWT } from 'jose';
import { expect, shot, test } from '../fixtures/journey.ts';

test.describe('token inspector', () => {
  test('flags a bad ID-JAG: wrong typ, two audiences, long life, and a signature no IdP key verifies', async ({ console: page, stack }) => {
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(Date.now() / 1000);
    const bad = await new SignJWT({
      iss: stack.topology.idp.issuer,
      sub: 'u-alice',
      aud: [stack.topology.servers[0]?.issuer as string, 'http://localhost:9/other'],
      client_id: 'acme-agent-at-tasks',
      jti: 'j-1',
      scope: 'tasks.read',
      iat: now,
      exp: now + 7200,
    })
      .setProtectedHeader({ alg: 'ES256', kid: 'forged', typ: 'JWT' })
      .sign(privateKey);
    await page.getByRole('link', { name: 'Token inspector' }).click();
    await page.getByLabel('JWT').fill(bad);
    const findings = page.getByRole('list', { name: 'Lint findings' });
    await expect(findings.locator('[data-rule="typ"]')).toHaveAttribute('data-ok', 'false');
    await expect(findings.locator('[data-rule="aud.single"]')).toHaveAttribute('data-ok', 'false');
    await expect(findings.locator('[data-rule="lifetime.short"]')).toHaveAttribute('data-ok', 'false');
    await expect(findings.locator('[data-rule="typ"]')).toContainText('draft-04 §3.1');
    await expect(page.getByTestId('lint-errors')).not.toHaveText('0 errors');
    await expect(page.getByTestId('signature')).toContainText('forged');
    await shot(page, '07-inspector-bad-id-jag');
  });

  test("verifies a real IdP-signed token against the IdP's JWKS (through the backend)", async ({ console: page, stack }) => {
    const token = await stack.opsToken();
    await page.getByRole('link', { name: 'Token inspector' }).click();
    await page.getByLabel('JWT').fill(token);
    await expect(page.getByTestId('signature')).toContainText('Signed by IdP');
    // An access token is not an ID-JAG: the typ rule says why an AS must refuse it as a grant.
    await expect(page.getByRole('list', { name: 'Lint findings' }).locator('[data-rule="typ"]')).toHaveAttribute('data-ok', 'false');
  });
});

/**
 * Bringing your own MCP server through the console's "Add a server" page. "Their" server is the sample
 * mcp-server started by this spec as a process of its own (own ports, own data directory), whose AS
 * was told to trust the playground IdP, as its developer would configure it. carol first tries a
 * server whose AS has no jwt-bearer grant (the classic-only Wiki) and is told what to change; then
 * discovers theirs, registers it with the client its developer registered at their AS (RFC 7591),
 * reads the values to configure there, and runs the AS scorecard: 100%, trust confirmed. The running
 * agent learnt the server at registration: on the Agent page alice signs in with Acme Agent, connects
 * to it (ID-JAG → access token at their AS, no restart) and calls one of its tools.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, shot, test } from '../fixtures/journey.ts';

test.use({ stackKey: 'add-server' });

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
let their: ChildProcess | undefined;
let theirData = '';
let theirUrl = '';

const free = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

test.beforeAll(async ({ stack }) => {
  // Their server listens at <base>+101; a port below the stacks' block (20000+) and the ephemeral range.
  let base = 0;
  for (let i = 0; i < 30 && !base; i++) {
    const b = 12_000 + Math.floor(Math.random() * 70) * 100;
    if (await free(b + 101)) base = b;
  }
  theirData = mkdtempSync(join(tmpdir(), 'xaa-e2e-their-'));
  their = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'apps', 'mcp-server', 'src', 'main.ts')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XAA_DATA_DIR: theirData, XAA_BASE_PORT: String(base), XAA_SERVERS: 'tasks', XAA_TRUSTED_ISSUER: stack.topology.idp.issuer },
  });
  theirUrl = `http://localhost:${base + 101}/mcp`;
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`their server did not start: ${out}`)), 60_000);
    const on = (d: Buffer) => {
      out += d;
      if (/Tasks\s+http/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    their?.stdout?.on('data', on);
    their?.stderr?.on('data', on);
    their?.on('close', (code) => reject(new Error(`their server exited (${code}): ${out}`)));
  });
});

test.afterAll(async () => {
  const child = their;
  if (child && child.exitCode === null && child.signalCode === null) {
    const closed = new Promise((r) => child.on('close', r));
    child.kill('SIGINT');
    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
  }
  if (theirData) rmSync(theirData, { recursive: true, force: true });
});

test('add their MCP server through "Add a server": findings, registration, values for their AS, scorecard', async ({ console: page, stack }) => {
  test.setTimeout(150_000);
  const t = stack.topology;
  await page.getByRole('link', { name: 'Add a server' }).click();
  await expect(page.getByRole('heading', { name: 'Add a server' })).toBeVisible();

  // A server whose AS cannot redeem ID-JAGs: what is missing, and what to change there.
  const wiki = t.servers.find((s) => s.name === 'wiki')?.resource as string;
  await page.locator('input[name="as-url"]').fill(wiki);
  await page.getByRole('button', { name: 'Discover' }).click();
  const bearer = page.locator('[data-finding="as.jwt-bearer"]');
  await expect(bearer).toHaveAttribute('data-status', 'missing');
  await expect(bearer).toContainText('What to change');
  await expect(bearer).toContainText('urn:ietf:params:oauth:grant-type:jwt-bearer');
  await expect(page.locator('[data-finding="as.id-jag-profile"]')).toHaveAttribute('data-status', 'missing');
  await expect(page.getByRole('form', { name: 'Register at the IdP' })).toHaveCount(0);
  await page.setViewportSize({ width: 1280, height: 720 });
  await bearer.scrollIntoViewIfNeeded();
  await shot(page, '59-add-server-missing');

  // Theirs: everything found; trust is known only once the scorecard has presented an ID-JAG.
  await page.locator('input[name="as-url"]').fill(theirUrl);
  await page.getByRole('button', { name: 'Discover' }).click();
  await expect(page.locator('[data-finding="as.jwt-bearer"]')).toHaveAttribute('data-status', 'ok');
  await expect(page.locator('[data-finding="prm"]')).toHaveAttribute('data-status', 'ok');
  await expect(page.locator('[data-finding="as.trust"]')).toHaveAttribute('data-status', 'pending');
  await expect(page.locator('input[name="as-scope"]')).toHaveCount(2);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '60-add-server-discovered');

  // Their developer registers a client for the jwt-bearer grant at their own AS (RFC 7591).
  const reg = (await (
    await fetch(`${new URL(theirUrl).origin}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Acme Agent (XAA)',
        grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      }),
    })
  ).json()) as { client_id: string; client_secret: string };
  expect(reg.client_secret).toBeTruthy();

  await page.getByLabel('I registered one there').check();
  await page.locator('input[name="as-client-id"]').fill(reg.client_id);
  await page.locator('input[name="as-client-secret"]').fill(reg.client_secret);
  await page.getByRole('form', { name: 'Register at the IdP' }).scrollIntoViewIfNeeded();
  await shot(page, '60-add-server-register');
  await page.getByRole('button', { name: 'Register and connect' }).click();
  const values = page.getByRole('region', { name: 'Configure at your authorization server' });
  await expect(values).toBeVisible();
  await expect(values.locator('[data-value="trusted-issuer"]')).toHaveText(t.idp.issuer);
  await expect(values.locator('[data-value="jwks-uri"]')).toHaveText(`${t.idp.issuer}/jwks`);
  await expect(values.locator('[data-value="client-id"]')).toHaveText(reg.client_id);
  await expect(page.getByTestId('agent-knows')).toContainText('The sample agent knows');

  // The IdP now has it, and Acme Agent is connected with the scopes found.
  const servers = (await stack.admin<{ servers: Array<{ name: string; issuer: string; resource: string }> }>('/servers')).body.servers;
  const added = servers.find((s) => s.resource === theirUrl);
  expect(added?.issuer).toBe(new URL(theirUrl).origin);
  const conns = (await stack.admin<{ connections: Array<{ scopes: string[] }> }>(`/connections?client_id=acme-agent&server=${added?.name}`)).body.connections;
  expect(conns[0]?.scopes).toEqual(['tasks.read', 'tasks.write']);

  await page.getByRole('button', { name: 'Run the AS scorecard' }).click();
  const score = page.getByTestId('scorecard-score');
  await expect(score).toBeVisible({ timeout: 120_000 });
  await expect(score).toContainText('100%');
  await expect(page.getByRole('region', { name: 'Trust' }).locator('[data-finding="as.trust"]')).toHaveAttribute('data-status', 'ok');
  await page.getByRole('region', { name: 'Configure at your authorization server' }).scrollIntoViewIfNeeded();
  await shot(page, '61-add-server-values');
  await score.scrollIntoViewIfNeeded();
  await shot(page, '62-add-server-scorecard');
  await page.setViewportSize({ width: 800, height: 900 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '63-add-server-800');
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  // The agent knows their server now: alice signs in with Acme Agent, connects to it and calls a tool.
  await page.setViewportSize({ width: 1280, height: 720 });
  // The page says so, with a link to the Agent page.
  await page.getByTestId('agent-knows').getByRole('link', { name: 'Agent' }).click();
  const name = added?.name as string;
  const option = page.locator(`select[name="agent-server"] option[value="${name}"]`);
  await expect(option).toHaveText(/\(added\)/);
  await page.locator('select[name="agent-user"]').selectOption('alice');
  await page.locator('select[name="agent-app"]').selectOption({ label: 'Acme Agent' });
  await page.getByRole('button', { name: 'Sign in (headless)' }).click();
  await expect(page.getByTestId('agent-session')).toContainText('alice');
  await page.locator('select[name="agent-server"]').selectOption(name);
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const activity = page.getByTestId('agent-activity');
  const connected = activity.locator('li[data-kind="connect"]').first();
  await expect(connected).toHaveAttribute('data-outcome', 'ok');
  await expect(connected).toContainText(`Connect to ${name}`);
  await page.locator('select[name="agent-tool"]').selectOption('list_tasks');
  await page.getByRole('button', { name: 'Call tool' }).click();
  const call = activity.locator('li[data-kind="call"]').first();
  await expect(call).toHaveAttribute('data-outcome', 'ok');
  await expect(call).toContainText(`Call list_tasks on ${name}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, '64-add-server-agent-call');
  await page.setViewportSize({ width: 800, height: 900 });
  await page.locator('select[name="agent-server"]').scrollIntoViewIfNeeded();
  await shot(page, '65-add-server-agent-800');
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
});

/** Restarting the IdP on the same data directory keeps users, connections, keys and sessions (idp.db). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ssoLogin } from '@xaa/user-agent';
import { afterAll, expect, it } from 'vitest';
import { clientOf, serverOf, startTestIdp } from '../support/idp.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'xaa-idp-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('keeps users, connections, keys and sessions across close + start', async () => {
  const first = await startTestIdp({ dataDir });
  const agent = clientOf(first.topology, 'acme-agent');
  const session = await ssoLogin({
    issuer: first.idp.issuer,
    clientId: agent.idp.client_id,
    clientSecret: agent.idp.client_secret,
    redirectUri: agent.idp.redirect_uris[0] as string,
    username: 'alice',
    password: 'demo',
  });
  expect((await first.admin('POST', '/admin/users', { username: 'frank', email: 'frank@acme.test', name: 'Frank', password: 'pw' })).status).toBe(201);
  expect((await first.admin('PATCH', '/admin/connections/conn_acme-chat_docs', { scopes: ['docs.read', 'docs.write'] })).status).toBe(200);
  const jwksBefore = await (await fetch(`${first.idp.issuer}/jwks`)).text();
  const issuerBefore = first.idp.issuer;
  await first.close();
  // Let the client side see the closed keep-alive sockets before reconnecting to the same port.
  await new Promise((r) => setTimeout(r, 100));

  // Same port, so the issuer (and the session cookie's host) is the same.
  const port = Number(new URL(issuerBefore).port);
  const { start } = await import('../../src/index.ts');
  const second = await start({ topology: first.topology, dataDir, port, quiet: true });
  try {
    expect(second.issuer).toBe(issuerBefore);
    expect(await (await fetch(`${second.issuer}/jwks`)).text()).toBe(jwksBefore);
    expect(second.directory.findUserByUsername('frank')).toBeTruthy();
    expect(second.directory.getConnection('conn_acme-chat_docs')?.scopes).toEqual(['docs.read', 'docs.write']);
    // The SSO session survives: signing in again never asks for the password.
    const again = await ssoLogin({
      issuer: second.issuer,
      clientId: agent.idp.client_id,
      clientSecret: agent.idp.client_secret,
      redirectUri: agent.idp.redirect_uris[0] as string,
      username: 'alice',
      password: 'not-asked',
      jar: session.jar,
    });
    expect(again.tokens.id_token).toBeTruthy();
    // The refresh token issued before the restart still works as a subject token.
    const tasks = serverOf(first.topology, 'tasks');
    const body = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
      subject_token: session.tokens.refresh_token as string,
      subject_token_type: 'urn:ietf:params:oauth:token-type:refresh_token',
      audience: tasks.issuer,
      client_id: agent.idp.client_id,
      client_secret: agent.idp.client_secret,
    });
    const res = await fetch(`${second.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(res.status).toBe(200);
  } finally {
    await second.close();
  }
});

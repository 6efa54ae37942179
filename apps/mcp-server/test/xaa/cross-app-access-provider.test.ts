/**
 * Interop with the official client (SEP-990 / EMA): the MCP SDK's `CrossAppAccessProvider`, given
 * only the IdP issuer, an ID token and the two client registrations (at the IdP and at the server's
 * AS), discovers everything else (401 → PRM → AS metadata → IdP metadata), runs the token exchange
 * and the jwt-bearer grant, and completes a tool call against each ID-JAG server.
 */
import { Client, CrossAppAccessProvider, discoverAndRequestJwtAuthGrant, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, form, type Stack, startStack } from '../support/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
  // The seeded policy connects Acme Agent to Tasks and Docs; IT approves CRM for this test.
  const ops = await form(
    `${stack.topology.idp.issuer}/token`,
    { grant_type: 'client_credentials', resource: stack.topology.idp.admin, scope: 'xaa:admin' },
    basic('ops', stack.topology.ops.client_secret),
  );
  const res = await fetch(`${stack.topology.idp.issuer}/admin/connections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ops.body.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: 'acme-agent', server: 'crm', scopes: ['crm.read', 'crm.write'], audience: { kind: 'all' } }),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
});
afterAll(async () => {
  await stack?.close();
});

const calls: Record<string, { name: string; arguments: Record<string, unknown> }> = {
  tasks: { name: 'create_task', arguments: { title: 'Filed by the SDK provider' } },
  docs: { name: 'search_docs', arguments: { query: 'runbook' } },
  crm: { name: 'find_account', arguments: { name: 'Globex' } },
};

describe('CrossAppAccessProvider (MCP TypeScript SDK v2)', () => {
  for (const name of ['tasks', 'docs', 'crm']) {
    it(`completes a tool call against ${name}`, async () => {
      const server = stack.server(name);
      const agent = stack.topology.clients.find((c) => c.name === 'acme-agent')!;
      const reg = stack.registration('acme-agent', name);
      const idToken = await stack.idToken('alice');
      const provider = new CrossAppAccessProvider({
        assertion: async (ctx) =>
          (
            await discoverAndRequestJwtAuthGrant({
              idpUrl: stack.topology.idp.issuer,
              audience: ctx.authorizationServerUrl,
              resource: ctx.resourceUrl,
              idToken,
              clientId: agent.idp.client_id,
              clientSecret: agent.idp.client_secret,
              ...(ctx.scope ? { scope: ctx.scope } : {}),
              fetchFn: ctx.fetchFn,
            })
          ).jwtAuthGrant,
        clientId: reg.client_id,
        clientSecret: reg.client_secret,
        expectedIssuer: server.issuer,
      });
      const client = new Client({ name: 'sdk-xaa-test', version: '0.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.resource), { authProvider: provider }));
      try {
        const result = await client.callTool(calls[name]!);
        expect(result.isError).toBeFalsy();
        expect((result.content as Array<{ text: string }>)[0]?.text).toContain('alice via Acme Agent');
      } finally {
        await client.close();
      }
      expect(provider.tokens()?.access_token).toBeTruthy();
    });
  }
});

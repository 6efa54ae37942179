/**
 * The IdP admin API answers with exactly the records @xaa/admin-contracts describes (the console's
 * types are inferred from them), and its OpenAPI document publishes those response schemas.
 */
import { appRecord, connectionRecord, effectiveAccess, groupRecord, keysView, serverRecord, simulateResult, userRecord } from '@xaa/admin-contracts/idp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestIdp, type TestIdp } from '../support/idp.ts';

let t: TestIdp;
beforeAll(async () => {
  t = await startTestIdp();
});
afterAll(async () => t?.close());

const strict = <T extends z.ZodObject>(s: T) => s.strict();

describe('admin responses match the contract (strict: no field the contract does not name)', () => {
  it.each([
    ['/admin/users', z.object({ users: z.array(strict(userRecord)) })],
    ['/admin/groups', z.object({ groups: z.array(strict(groupRecord)) })],
    ['/admin/apps', z.object({ apps: z.array(strict(appRecord)) })],
    ['/admin/servers', z.object({ servers: z.array(strict(serverRecord)) })],
    ['/admin/connections', z.object({ connections: z.array(strict(connectionRecord)) })],
    ['/admin/keys', keysView.strict()],
    ['/admin/users/alice/effective-access', effectiveAccess],
  ] as const)('GET %s', async (path, schema) => {
    const r = await t.admin('GET', path);
    expect(r.status).toBe(200);
    const parsed = (schema as z.ZodType).safeParse(r.body);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true);
  });

  it('POST /admin/simulate', async () => {
    const r = await t.admin('POST', '/admin/simulate', { user: 'alice', app: 'acme-agent', server: 'tasks' });
    expect(r.status).toBe(200);
    const parsed = simulateResult.safeParse(r.body);
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))).toBe(true);
  });

  it('the OpenAPI document carries the response schemas', async () => {
    const doc = (await (await fetch(`${t.idp.issuer}/admin/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: { properties?: object } }> }> }>>;
    };
    const users = doc.paths['/admin/users']?.get?.responses['200']?.content?.['application/json']?.schema;
    expect(Object.keys(users?.properties ?? {})).toEqual(['users']);
  });
});

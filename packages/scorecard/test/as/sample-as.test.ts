/**
 * The sample MCP servers' authorization servers (apps/mcp-server) score 100% on the AS scorecard,
 * with ID-JAGs from the real IdP — and the scorecard notices when an admin turns a protection off
 * (re-presentation allowed: the replay case fails).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsScorecard } from '../../src/as/run.ts';
import { renderTable } from '../../src/report/table.ts';
import { type Stack, startStack } from '../support/stack.ts';

let s: Stack;
beforeAll(async () => {
  s = await startStack({ servers: ['tasks'] });
  // a public client registered at the Tasks AS, for the public-client case
  await s.admin.callAdmin(s.server('tasks').admin, 'POST', '/clients', {
    client_id: 'scorecard-public',
    client_name: 'Scorecard public client',
    token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
  });
});
afterAll(async () => s?.close());

function run(extra: { cases?: string[] } = {}) {
  const tasks = s.server('tasks');
  const reg = s.registration('acme-agent', 'tasks');
  return runAsScorecard({
    issuer: tasks.issuer,
    resource: tasks.resource,
    clientId: reg.client_id,
    clientSecret: reg.client_secret,
    otherClientId: s.registration('acme-chat', 'tasks').client_id,
    otherResource: s.server('docs').resource,
    publicClientId: 'scorecard-public',
    idp: s.admin,
    ...extra,
  });
}

describe('AS scorecard against the sample Tasks AS', () => {
  it('scores 100%', async () => {
    const report = await run();
    if (!report.ok) console.log(renderTable(report));
    expect(report.cases.filter((c) => c.outcome !== 'pass').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect(report.summary.score).toBe(100);
    expect(report.notes.join(' ')).toContain(`${s.server('tasks').issuer}/token`);
  });

  it('catches the sample AS when its admin allows re-presentation of ID-JAGs', async () => {
    const admin = s.server('tasks').admin;
    await s.admin.callAdmin(admin, 'PATCH', '/settings', { allow_representation: true });
    try {
      const report = await run({ cases: ['replay'] });
      expect(report.cases.find((c) => c.id === 'replay.jti')).toMatchObject({ outcome: 'fail', reason: 'The AS redeemed the same ID-JAG twice.' });
      expect(report.ok).toBe(false);
    } finally {
      await s.admin.callAdmin(admin, 'PATCH', '/settings', { allow_representation: false });
    }
  });
});

/**
 * Every demo story runs to its end against the real playground (IdP, servers, agent) over HTTP, as
 * `xaa scenario` and the console run them — and runs again after its own reset.
 */
import { type Manifest, PlaygroundClient, runScenario, SCENARIOS } from '@xaa/scenarios';
import { type Stack, startStack } from '@xaa/testkit';
import { playgroundManifest } from '@xaa/topology';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground } from '../../src/playground.ts';

const parts = {
  pg: ({ dataDir, basePort }: { dataDir: string; basePort: number }) => startPlayground({ dataDir, basePort, only: ['idp', 'servers', 'client'] }),
};
let stack: Stack<typeof parts>;
let client: PlaygroundClient;

beforeAll(async () => {
  stack = await startStack({ tmpPrefix: 'xaa-scenarios-', parts });
  client = new PlaygroundClient(playgroundManifest(stack.pg.topology) as unknown as Manifest);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('scenarios', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.title}: every step behaves as the story says`, async () => {
      const run = await runScenario(scenario, client);
      const failed = run.steps.find((s) => s.status !== 'passed');
      expect(failed?.error ?? failed?.result?.headline, failed?.title).toBeUndefined();
      expect(run.ok).toBe(true);
      expect(run.steps).toHaveLength(scenario.steps.length);
    }, 60_000);
  }

  it('a story can run again after its reset (revoked mid-session leaves alice disabled; the next run restores her)', async () => {
    const revoked = SCENARIOS.find((s) => s.id === 'revoked-mid-session');
    const again = await runScenario(revoked as (typeof SCENARIOS)[number], client);
    expect(again.ok).toBe(true);
  }, 60_000);

  it('consent screens vs XAA: at least one consent screen per classic server, none with XAA', async () => {
    const run = await runScenario(SCENARIOS.find((s) => s.id === 'consent-vs-xaa') as (typeof SCENARIOS)[number], client);
    const table = run.steps.at(-1)?.result?.data?.comparison as Array<{ label: string; classic: number; xaa: number }>;
    const consent = table.find((r) => r.label === 'Consent screens');
    expect(consent?.classic).toBeGreaterThanOrEqual(2);
    expect(consent?.xaa).toBe(0);
  }, 60_000);

  it('stolen token: the copied bearer token works from another process, the DPoP-bound copy is refused (RFC 9449 §4.3, §7.2)', async () => {
    const run = await runScenario(SCENARIOS.find((s) => s.id === 'stolen-token') as (typeof SCENARIOS)[number], client);
    expect(run.ok, JSON.stringify(run.steps.map((s) => s.result?.headline ?? s.error))).toBe(true);
    const replays = run.steps.at(-1)?.result?.data?.replays as Array<{ attempt: string; status: number; error?: string }>;
    expect(replays).toEqual([
      { attempt: 'bearer', status: 200 },
      { attempt: 'bound-as-bearer', status: 401, error: 'invalid_token' },
      { attempt: 'bound-with-own-proof', status: 401, error: 'invalid_dpop_proof' },
    ]);
  }, 60_000);
});

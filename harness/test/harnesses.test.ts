/**
 * The harnesses in their quick mode against one real playground (a child process on loopback):
 * what CI runs. The full mode is `pnpm harness:<name>`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Ledger, verify } from '../src/crash/run.ts';
import { accessHarness, crashHarness, fuzzHarness, loadHarness } from '../src/harnesses.ts';
import { prepareClients, runLoad } from '../src/load/run.ts';
import { formatResult, type HarnessResult, passed } from '../src/report.ts';
import { ssoLogin } from '../src/sso.ts';
import { type Stack, startStack } from '../src/stack.ts';
import { ssoClient, user } from '../src/world.ts';
import { idpTokenEndpoint, tokenExchange } from '../src/xaa.ts';

/** The root vitest config allows 30 s per test; a harness run on a busy machine may need more. */
const TIMEOUT = 180_000;

const failed = (checks: HarnessResult['checks']) => checks.filter((c) => !c.ok).map((c) => c.name);

function expectPassed(result: HarnessResult) {
  const failed = result.checks.filter((c) => !c.ok);
  expect(failed, formatResult(result)).toEqual([]);
  expect(passed(result)).toBe(true);
}

describe('harnesses (quick mode)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it(
    'load: concurrent full XAA flows complete without errors',
    async () => {
      const r = await loadHarness({ mode: 'quick', stack, concurrency: 8, durationMs: 2_000 });
      expectPassed(r);
      expect(Number(r.figures.find((f) => f.name === 'flows completed')?.value)).toBeGreaterThan(0);
      // Each leg alone: the server CPU it costs (read from /proc for the playground's pid).
      for (const leg of ['token exchange (IdP)', 'jwt-bearer (AS)', 'MCP tools/call'])
        expect(Number(r.figures.find((f) => f.name === `server CPU per request, ${leg} alone`)?.value)).toBeGreaterThan(0);
      // The unmeasured ramp ran and says what it saw.
      expect(String(r.figures.find((f) => f.name.startsWith('ramp before the window'))?.value)).toMatch(/^\d+(\.\d+)? · \d+ · \d+$/);
    },
    TIMEOUT,
  );

  it(
    'load: a flow that fails in the unmeasured ramp still fails the run',
    async () => {
      const m = stack.manifest;
      const [sim] = await prepareClients(m, 'acme-agent', [{ server: 'docs', tool: { name: 'search_docs', args: { query: 'x' } }, users: ['alice'] }], 1);
      if (!sim) throw new Error('no simulated client');
      // A wrong client secret: every token exchange is refused (401 invalid_client).
      const broken = { ...sim, client: { ...sim.client, idp: { ...sim.client.idp, client_secret: 'not-the-secret' } } };
      // A window of no time: every flow starts in the ramp.
      const r = await runLoad(m, [broken], { mode: 'quick', concurrency: 1, durationMs: 0, rampMs: 400, warmupFlows: 0, timeoutMs: 10_000 });
      expect(Number(r.figures.find((f) => f.name === 'flows completed')?.value)).toBe(0);
      expect(failed(r.checks)).toContain('no errors');
      expect(Number(r.figures.find((f) => f.name === 'errors')?.value)).toBeGreaterThan(0);
      expect(String(r.checks.find((c) => c.name === 'no errors')?.detail)).toContain('exchange 401 invalid_client');
    },
    TIMEOUT,
  );

  it(
    'fuzz: malformed input gets no 5xx, no hang, no reflection, and the playground stays healthy',
    async () => {
      const r = await fuzzHarness({ mode: 'quick', stack, seed: 1 });
      expectPassed(r);
      expect(Number(r.figures.find((f) => f.name === 'requests')?.value)).toBeGreaterThan(500);
    },
    TIMEOUT,
  );

  it(
    'access: admin and event endpoints refuse every wrong credential; console CSRF and CORS; login throttling',
    async () => {
      expectPassed(await accessHarness({ mode: 'quick', stack }));
    },
    TIMEOUT,
  );

  it(
    'crash detectors flag a lost user, a lost disable, a lost connection edit, a missing audit entry and a replayable ID-JAG',
    async () => {
      const m = stack.manifest;
      const alice = user(m, 'alice');
      const idToken = (await ssoLogin(m.idp.issuer, ssoClient(m), alice.username, alice.password)).id_token;
      const client = m.clients.find((c) => c.name === 'acme-agent');
      const docs = m.servers.find((s) => s.name === 'docs');
      if (!client || !docs) throw new Error('seeded world missing');
      // Issued but never redeemed: "replaying" it succeeds, which the detector must report.
      const ex = await tokenExchange(await idpTokenEndpoint(m.idp.issuer), client, idToken, docs, undefined);
      const idJag = (JSON.parse(ex.body) as { access_token: string }).access_token;
      const ledger: Ledger = {
        users: [
          { username: 'never-created', created: 'acked' },
          { username: 'bob', created: 'acked', disable: 'acked' },
        ],
        connections: new Map([['conn_acme-chat_docs', { id: 'conn_acme-chat_docs', lastAcked: 777, unacked: [778], seq: 2 }]]),
        issued: [{ jti: 'no-such-jti', cycle: 1 }],
        redeemed: [{ server: docs, client, idJag, jti: 'x', cycle: 1 }],
        counts: {},
      };
      const { checks } = await verify(stack, ledger);
      expect(failed(checks)).toEqual([
        'acknowledged user creations survive',
        'acknowledged user disables survive',
        'acknowledged connection edits survive',
        'issued ID-JAGs are in the audit trail',
        'redeemed ID-JAGs cannot be replayed',
      ]);
    },
    TIMEOUT,
  );
});

describe('crash harness (quick mode)', () => {
  it(
    'kill -9 mid-stream loses no acknowledged change, keeps every database intact and allows no replay',
    async () => {
      const r = await crashHarness({ mode: 'quick', seed: 1 });
      expectPassed(r);
      expect(Number(r.figures.find((f) => f.name === 'ID-JAGs redeemed (acknowledged)')?.value)).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, playgroundManifest } from '@xaa/topology';
import { start } from '../apps/idp/src/index.ts';
import { buildFuzzPlan } from './src/fuzz/endpoints.ts';
import { runFuzz } from './src/fuzz/run.ts';
import { formatResult } from './src/report.ts';
import { ssoLogin } from './src/sso.ts';
import { freeBasePort } from './src/stack.ts';
import { opsAccessToken } from './src/xaa.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'smoke-'));
const topology = loadTopology({ dataDir, basePort: await freeBasePort() });
const idp = await start({ topology, dataDir, quiet: true });
const m = playgroundManifest(topology) as any;
try {
  const a = m.clients[0];
  const t = await ssoLogin(
    m.idp.issuer,
    { client_id: a.idp.client_id, client_secret: a.idp.client_secret, redirect_uri: a.idp.redirect_uris[0] },
    'alice',
    'demo',
  );
  const plan = await buildFuzzPlan(m, {
    idToken: t.id_token,
    userAccessToken: t.access_token,
    idJags: {},
    accessTokens: {},
    admin: { [m.idp.admin]: await opsAccessToken(m, m.idp.admin) },
    tools: {},
  });
  plan.endpoints = plan.endpoints.filter((e) => e.app === 'idp');
  plan.origins = plan.origins.filter((o) => o.app === 'idp');
  console.log(plan.endpoints.map((e) => e.name).join('\n'));
  const r = await runFuzz(plan, {
    mode: 'quick',
    seed: Number(process.env.SEED ?? 1),
    perEndpoint: Number(process.env.PER ?? 40),
    randomPerOrigin: 200,
    concurrency: 8,
    timeoutMs: 8000,
    alive: () => true,
    health: async () => [],
  });
  console.log(formatResult(r));
  console.log(JSON.stringify((r.details as any).failures.slice(0, 30), null, 1));
} finally {
  await idp.close();
}

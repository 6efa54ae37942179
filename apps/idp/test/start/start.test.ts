/** start(): the app as a function (docs/contracts.md "Apps are functions"). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultTopology } from '@xaa/topology';
import { afterAll, expect, it } from 'vitest';
import { start } from '../../src/index.ts';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'xaa-idp-start-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it('a taken port is a clear error, and the database is left closed', async () => {
  const d = dataDir();
  const first = await start({ topology: defaultTopology({ dataDir: d }), dataDir: d, port: 0, quiet: true });
  try {
    const d2 = dataDir();
    await expect(start({ topology: defaultTopology({ dataDir: d2 }), dataDir: d2, port: first.port, quiet: true })).rejects.toThrow(/already in use/);
  } finally {
    await first.close();
  }
});

it('normalises a configured issuer without its trailing slash (docs/decisions.md §4) and serves discovery for it', async () => {
  const d = dataDir();
  const idp = await start({ topology: defaultTopology({ dataDir: d }), dataDir: d, port: 0, quiet: true, issuer: 'http://127.0.0.1:1/' });
  try {
    expect(idp.issuer).toBe('http://127.0.0.1:1');
    const res = await fetch(`http://127.0.0.1:${idp.port}/.well-known/openid-configuration`);
    expect(((await res.json()) as { issuer: string }).issuer).toBe('http://127.0.0.1:1');
    expect(idp.adminResources).toContain('http://127.0.0.1:1/admin');
  } finally {
    await idp.close();
    await idp.close(); // idempotent
  }
});

it('signs with RS256 when asked, and keeps that choice on the next start', async () => {
  const d = dataDir();
  const topology = defaultTopology({ dataDir: d });
  const a = await start({ topology, dataDir: d, port: 0, quiet: true, signingAlg: 'RS256' });
  const kid = a.keys.current()?.kid;
  expect(a.keys.current()?.alg).toBe('RS256');
  await a.close();
  const b = await start({ topology, dataDir: d, port: 0, quiet: true });
  try {
    expect(b.keys.current()).toMatchObject({ kid, alg: 'RS256' });
  } finally {
    await b.close();
  }
});

/**
 * Time from `npm start`'s start script to "ready" (dependencies installed, fresh data directory and again on a
 * seeded one), and the resident memory of the whole playground process tree once ready and after
 * some traffic. Targets: ready < 5 s, RSS < 400 MB.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freeBasePort } from '@xaa/testkit';
import type { BenchResult, BenchSuite } from '../measure.ts';

const root = join(import.meta.dirname, '..', '..');

/** RSS in MB of a process and all its descendants (Linux /proc). */
export function treeRssMb(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // process ended while we looked
    }
  }
  let kb = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop() as number;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kb += Number(m?.[1] ?? 0);
    } catch {
      // gone
    }
    stack.push(...(children.get(p) ?? []));
  }
  return kb / 1024;
}

async function startOnce(dataDir: string, base: number): Promise<{ ms: number; pid: number; stop: () => Promise<void> }> {
  const t0 = performance.now();
  // What `npm start` runs (scripts/start.mjs → the bundled CLI), not the TypeScript sources under tsx.
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs'), '--data-dir', dataDir, '--port', String(base), '--json'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const ms = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`not ready after 60 s: ${err}`)), 60_000);
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('"ready":true')) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
    child.on('close', () => reject(new Error(`exited before ready: ${err}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.kill('SIGINT');
    });
  return { ms, pid: child.pid as number, stop };
}

const suite: BenchSuite = async (ctx) => {
  const base = await freeBasePort();
  // Build first, untimed: `npm start` rebuilds only after a change, so a start is the bundle's start.
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('scripts/build.mjs failed');
  const cold = await startOnce(ctx.dataDir, base);
  const rssReady = treeRssMb(cold.pid);
  // Some traffic, so the figure is not just an idle heap: discovery and JWKS on every origin.
  const manifest = JSON.parse(readFileSync(join(ctx.dataDir, 'playground.json'), 'utf8'));
  const urls = [
    `${manifest.idp.issuer}/.well-known/openid-configuration`,
    `${manifest.idp.issuer}/jwks`,
    ...manifest.servers.map((s: { issuer: string }) => `${s.issuer}/.well-known/oauth-authorization-server`),
  ];
  for (let i = 0; i < (ctx.quick ? 20 : 200); i++) await Promise.all(urls.map((u: string) => fetch(u).then((r) => r.arrayBuffer())));
  const rssBusy = treeRssMb(cold.pid);
  await cold.stop();
  const warm = await startOnce(ctx.dataDir, base);
  await warm.stop();
  const result: BenchResult = {
    suite: 'startup',
    measurements: [],
    ratios: [],
    figures: [
      { name: 'ready, fresh data directory (seeding)', value: cold.ms, unit: 'ms', target: 5000 },
      { name: 'ready, seeded data directory', value: warm.ms, unit: 'ms', target: 5000 },
      { name: 'resident memory when ready', value: rssReady, unit: 'MB', target: 400 },
      { name: 'resident memory after traffic', value: rssBusy, unit: 'MB', target: 400 },
    ],
  };
  return result;
};
export default suite;

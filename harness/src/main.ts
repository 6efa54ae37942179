#!/usr/bin/env -S npx tsx
/**
 * `tsx harness/src/main.ts <load|fuzz|crash|access> [--quick] [--seed N] [--concurrency N]
 * [--duration S] [--profile] [--bundle] [--npm-start]`: runs one harness against a fresh playground (a child process on free
 * loopback ports, temporary data directory), prints the table, keeps the result in
 * `.test-results/harness/<name>.json`. Exit code 0 when every check passed, 1 otherwise, 2 for usage errors.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { HARNESSES, type RunOptions } from './harnesses.ts';
import { formatResult, passed, saveResult } from './report.ts';
import { REPO_ROOT } from './stack.ts';

const USAGE = 'usage: harness <load|fuzz|crash|access> [--quick] [--seed N] [--concurrency N] [--duration S] [--profile] [--bundle] [--npm-start]';

/** Whole-machine CPU counters from /proc/stat (Linux; undefined elsewhere): all, busy and stolen time. */
function machineCpu(): { total: number; busy: number; steal: number } | undefined {
  try {
    const [user, nice, system, idle, iowait, irq, softirq, steal] =
      readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0);
    const total = busy + (idle ?? 0) + (iowait ?? 0) + (steal ?? 0);
    return Number.isFinite(total) ? { total, busy, steal: steal ?? 0 } : undefined;
  } catch {
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      profile: { type: 'boolean', default: false },
      bundle: { type: 'boolean', default: false },
      'npm-start': { type: 'boolean', default: false },
    },
  });
  const name = positionals[0] as keyof typeof HARNESSES | undefined;
  if (!name || !(name in HARNESSES)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const int = (v: string | undefined) => (v === undefined ? undefined : Number.parseInt(v, 10));
  const options: RunOptions = {
    mode: values.quick ? 'quick' : 'full',
    ...(values.seed ? { seed: int(values.seed) as number } : {}),
    ...(values.concurrency ? { concurrency: int(values.concurrency) as number } : {}),
    ...(values.duration ? { durationMs: (int(values.duration) as number) * 1000 } : {}),
    profile: values.profile ?? false,
    ...(values.bundle || values['npm-start'] ? { bundle: true } : {}),
    ...(values['npm-start'] ? { npmStart: true } : {}),
  };
  if (options.npmStart && options.profile) {
    process.stderr.write('--npm-start runs npm itself; profile with --bundle instead\n');
    return 2;
  }
  // The bundle `npm start` runs, rebuilt first when the sources are newer (scripts/build.mjs).
  if (options.bundle && spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' }).status !== 0) return 1;
  const loadBefore = loadavg()[0] ?? 0;
  const cpuBefore = machineCpu();
  const result = await HARNESSES[name](options);
  const cpuAfter = machineCpu();
  // Context for every figure: other work on the machine shares its cores with the run.
  result.figures.push({
    name: 'machine load average, 1 min (start / end)',
    value: `${loadBefore.toFixed(1)} / ${(loadavg()[0] ?? 0).toFixed(1)} on ${cpus().length} cores`,
  });
  if (cpuBefore && cpuAfter) {
    const total = cpuAfter.total - cpuBefore.total;
    // Time the hypervisor gave this VM's cores to someone else: high steal makes every figure worse.
    if (total > 0)
      result.figures.push(
        { name: 'machine CPU busy during the run', value: ((cpuAfter.busy - cpuBefore.busy) / total) * 100, unit: '%' },
        { name: 'machine CPU steal during the run', value: ((cpuAfter.steal - cpuBefore.steal) / total) * 100, unit: '%' },
      );
  }
  process.stdout.write(`${formatResult(result)}\n`);
  type Row = { name: string; percent: number; ms: number };
  const profile = (result.details?.profile ?? undefined) as { files?: string[]; byPackage?: Row[]; byModule?: Row[]; byFunction?: Row[] } | undefined;
  const rows = (title: string, list: Row[] | undefined) => {
    if (!list) return;
    process.stdout.write(`\n${title}:\n`);
    for (const p of list) process.stdout.write(`  ${p.percent.toFixed(1).padStart(5)}%  ${String(p.ms).padStart(7)} ms  ${p.name}\n`);
  };
  rows('playground CPU profile (all threads, idle left out), self time by package', profile?.byPackage);
  rows('playground CPU profile, self time by module', profile?.byModule);
  rows('playground CPU profile, self time by function', profile?.byFunction);
  if (profile?.files?.length)
    process.stdout.write(`\nprofiles, one per thread (open in Chrome DevTools › Performance):\n${profile.files.map((f) => `  ${f}`).join('\n')}\n`);
  process.stdout.write(`\nsaved ${saveResult(result)}\n`);
  return passed(result) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`harness failed to run: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);

/**
 * `pnpm bench [suite…] [--quick] [--profile]`: runs every suite in bench/suites (or the named ones), prints a
 * table and writes .bench/results.json (`--profile`: CPU profiles of spawned servers in .bench/profile). Each suite starts what it measures on loopback and stops it.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult, BenchSuite } from './measure.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profileDir = args.includes('--profile') ? join(process.cwd(), '.bench', 'profile') : undefined;
const names = args.filter((a) => !a.startsWith('--'));
const dir = join(import.meta.dirname, 'suites');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .filter((f) => names.length === 0 || names.includes(f.replace(/\.ts$/, '')));

const results: BenchResult[] = [];
for (const file of files) {
  const dataDir = mkdtempSync(join(tmpdir(), 'xaa-bench-'));
  try {
    const suite = (await import(pathToFileURL(join(dir, file)).href)).default as BenchSuite;
    console.log(`\n▶ ${file.replace(/\.ts$/, '')}`);
    const r = await suite({ quick, durationMs: quick ? 1500 : 10_000, concurrency: 16, dataDir, ...(profileDir ? { profileDir } : {}) });
    results.push(r);
    for (const m of r.measurements)
      console.log(
        `  ${m.name.padEnd(44)} ${m.throughput.toFixed(0).padStart(7)} req/s  p50 ${m.p50.toFixed(1).padStart(6)} ms  p99 ${m.p99.toFixed(1).padStart(6)} ms  errors ${m.errors}`,
      );
    for (const x of r.ratios) {
      const ok = x.target === undefined ? '' : (x.higherIsBetter === false ? x.value <= x.target : x.value >= x.target) ? '  ✓ target ' : '  ✗ target ';
      console.log(
        `  ratio ${x.name.padEnd(38)} ${x.value.toFixed(2).padStart(7)}×${ok}${x.target === undefined ? '' : `${x.higherIsBetter === false ? '≤' : '≥'} ${x.target}`}`,
      );
    }
    for (const f of r.figures ?? [])
      console.log(
        `  ${f.name.padEnd(44)} ${f.value.toFixed(1).padStart(7)} ${f.unit}${f.target === undefined ? '' : `  (target < ${f.target} ${f.unit}) ${f.value < f.target ? '✓' : '✗'}`}`,
      );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
mkdirSync('.bench', { recursive: true });
writeFileSync(join('.bench', 'results.json'), `${JSON.stringify({ time: new Date().toISOString(), quick, results }, null, 2)}\n`);
console.log('\nresults: .bench/results.json');
process.exit(0);

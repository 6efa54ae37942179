/**
 * Harness results: a table on stdout and the whole result as JSON in `.test-results/harness/<name>.json`
 * (ignored by git and the linter), so a run can be compared with the next one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface HarnessResult {
  harness: 'load' | 'fuzz' | 'crash' | 'access';
  mode: 'quick' | 'full';
  startedAt: string;
  durationMs: number;
  /** Named figures shown in the table (ms, req/s, counts). */
  figures: Array<{ name: string; value: number | string; unit?: string; target?: string }>;
  checks: Check[];
  /** Everything else a reader may want (error kinds, per-endpoint counts, seeds). */
  details?: Record<string, unknown>;
  /** Extra tables printed after the checks (first row = header). */
  tables?: Array<{ title: string; rows: string[][] }>;
}

export function passed(result: HarnessResult): boolean {
  return result.checks.every((c) => c.ok);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

function pad(s: string, n: number) {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows)
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  return rows
    .map((r) =>
      r
        .map((c, i) => pad(c, widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatResult(result: HarnessResult): string {
  const fmt = (v: number | string) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : v);
  const lines = [
    `harness ${result.harness} (${result.mode}) — ${(result.durationMs / 1000).toFixed(1)} s`,
    '',
    table([['figure', 'value', 'unit', 'target'], ...result.figures.map((f) => [f.name, fmt(f.value), f.unit ?? '', f.target ?? ''])]),
    '',
    table([['check', 'result', 'detail'], ...result.checks.map((c) => [c.name, c.ok ? 'pass' : 'FAIL', c.detail ?? ''])]),
    '',
    ...(result.tables ?? []).flatMap((t) => [t.title, table(t.rows), '']),
    passed(result) ? 'PASS' : 'FAIL',
  ];
  return lines.join('\n');
}

/** Writes `<dir>/<harness>.json` (default dir `.harness` under the current directory); returns the path. */
/** Where results and profiles go: a folder git and the linter already ignore. */
export const RESULTS_DIR = resolve('.test-results', 'harness');

export function saveResult(result: HarnessResult, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${result.harness}${result.mode === 'quick' ? '.quick' : ''}.json`);
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

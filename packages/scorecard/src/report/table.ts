/**
 * The terminal view of a report: a table of cases (result, case, what was mutated, expected,
 * answered), then a block per failed case with why it matters and the spec clause, then the score.
 */
import { type Colour, colours } from '@xaa/node-kit/colour';
import Table from 'cli-table3';
import { type CaseOutcome, plainText, type ScorecardReport } from './types.ts';

export interface TableOptions {
  /** ANSI colours (default: off; the CLI turns them on for a TTY without NO_COLOR). */
  color?: boolean;
  /** Terminal width used to size the columns (default 160). */
  width?: number;
}

const SYMBOL: Record<CaseOutcome, string> = { pass: '✓ pass', fail: '✗ FAIL', warn: '! warn', error: '? error', skip: '- skip' };
const COLOR: Record<CaseOutcome, Colour> = { pass: 'green', fail: 'red', warn: 'yellow', error: 'magenta', skip: 'dim' };

export function renderTable(report: ScorecardReport, options: TableOptions = {}): string {
  const c = colours(Boolean(options.color));
  const paint = (colour: Colour, s: string) => c[colour](s);
  const width = Math.max(100, options.width ?? 160);
  // result | case | mutated | expected | answered; cli-table3 widths include padding and borders.
  const fixed = [9, 30];
  const rest = width - fixed.reduce((a, b) => a + b, 0) - 6;
  const colWidths = [...fixed, Math.floor(rest * 0.3), Math.floor(rest * 0.25), rest - Math.floor(rest * 0.3) - Math.floor(rest * 0.25)];
  const table = new Table({
    head: ['result', 'case', 'mutated', 'expected', 'answered'],
    colWidths,
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: options.color ? ['bold'] : [], border: options.color ? ['grey'] : [] },
  });
  for (const c of report.cases)
    table.push([paint(COLOR[c.outcome], SYMBOL[c.outcome]), plainText(c.id), plainText(c.mutated), plainText(c.expected), plainText(c.answered)]);

  const lines = [paint('bold', plainText(report.title)), ''];
  for (const [k, v] of Object.entries(report.target)) lines.push(plainText(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`));
  for (const n of report.notes) lines.push(plainText(`  note: ${n}`));
  lines.push('', table.toString(), '');
  const problems = report.cases.filter((c) => c.outcome === 'fail' || c.outcome === 'error' || c.outcome === 'warn');
  for (const c of problems) {
    lines.push(`${paint(COLOR[c.outcome], SYMBOL[c.outcome])}  ${paint('bold', c.id)}  ${c.title}`);
    if (c.reason) lines.push(`    ${plainText(c.reason)}`);
    lines.push(`    why it matters: ${c.why}`, `    spec: ${c.specRef}`, '');
  }
  const s = report.summary;
  const verdict = report.ok ? paint('green', 'PASSED') : paint('red', 'FAILED');
  lines.push(
    `${verdict}  score ${s.score}%  ·  ${s.passed} passed, ${s.failed} failed, ${s.warnings} warnings, ${s.errors} errors, ${s.skipped} skipped  ·  ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  return `${lines.join('\n')}\n`;
}

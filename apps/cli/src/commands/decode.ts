import { readFileSync } from 'node:fs';
import { decodeUnverified } from '@xaa/protocol';
import { lintIdJag } from '@xaa/protocol/id-jag/lint';
import { CliError, dim, EXIT, green, red, yellow } from '../output.ts';

/** `xaa decode <jwt|->`: header and claims, unverified, with times made readable. */
export function decodeCommand(options: { token: string | undefined; json: boolean }): number {
  const raw = (options.token === undefined || options.token === '-' ? readFileSync(0, 'utf8') : options.token).trim();
  const decoded = decodeUnverified(raw);
  if (!decoded) throw new CliError('That is not a compact JWT (three base64url parts separated by dots).', EXIT.usage);
  const lint = lintIdJag(raw);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...decoded, lint: { isIdJag: lint.isIdJag, summary: lint.summary, findings: lint.findings } }, null, 2)}\n`);
    return EXIT.ok;
  }
  const when = (v: unknown) => (typeof v === 'number' ? dim(`  ${new Date(v * 1000).toISOString()}`) : '');
  const lines = ['header', ...Object.entries(decoded.header).map(([k, v]) => `  ${k.padEnd(10)} ${JSON.stringify(v)}`), 'claims'];
  for (const [k, v] of Object.entries(decoded.claims))
    lines.push(`  ${k.padEnd(10)} ${JSON.stringify(v)}${['iat', 'exp', 'nbf', 'auth_time'].includes(k) ? when(v) : ''}`);
  lines.push(lint.isIdJag ? 'ID-JAG rules' : 'ID-JAG rules (this token does not declare itself an ID-JAG)');
  for (const f of lint.findings) {
    const mark = f.ok ? green('✓') : f.level === 'error' ? red('✗') : f.level === 'warning' ? yellow('!') : dim('i');
    lines.push(`  ${mark} ${f.title}${f.ok ? '' : `: ${f.detail}`} ${dim(f.specRef)}`);
  }
  lines.push(dim('(not verified: use the console token inspector to check the signature)'));
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

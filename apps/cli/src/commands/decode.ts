import { readFileSync } from 'node:fs';
import { decodeUnverified } from '@xaa/protocol';
import { CliError, dim, EXIT } from '../output.ts';

/** `xaa decode <jwt|->`: header and claims, unverified, with times made readable. */
export function decodeCommand(options: { token: string | undefined; json: boolean }): number {
  const raw = (options.token === undefined || options.token === '-' ? readFileSync(0, 'utf8') : options.token).trim();
  const decoded = decodeUnverified(raw);
  if (!decoded) throw new CliError('That is not a compact JWT (three base64url parts separated by dots).', EXIT.usage);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(decoded, null, 2)}\n`);
    return EXIT.ok;
  }
  const when = (v: unknown) => (typeof v === 'number' ? dim(`  ${new Date(v * 1000).toISOString()}`) : '');
  const lines = ['header', ...Object.entries(decoded.header).map(([k, v]) => `  ${k.padEnd(10)} ${JSON.stringify(v)}`), 'claims'];
  for (const [k, v] of Object.entries(decoded.claims))
    lines.push(`  ${k.padEnd(10)} ${JSON.stringify(v)}${['iat', 'exp', 'nbf', 'auth_time'].includes(k) ? when(v) : ''}`);
  lines.push(dim('(not verified: use the console token inspector to check the signature)'));
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

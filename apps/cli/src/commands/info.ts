import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bold, CliError, dim, EXIT } from '../output.ts';
import { runningPid } from './reset.ts';

/** `xaa info`: what is where, from playground.json. */
export function infoCommand(options: { dataDir: string; json: boolean }): number {
  const file = join(resolve(options.dataDir), 'playground.json');
  if (!existsSync(file)) throw new CliError(`No ${file} yet: run \`npm start\` first.`, EXIT.error);
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  const pid = runningPid(resolve(options.dataDir));
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...manifest, running: pid !== undefined, manifest: file }, null, 2)}\n`);
    return EXIT.ok;
  }
  const lines = [
    `${bold('XAA Playground')} ${dim(pid ? `running (pid ${pid})` : 'not running')}`,
    `  console  ${manifest.console.url}`,
    `  idp      ${manifest.idp.issuer}`,
    ...manifest.servers.map(
      (s: { name: string; resource: string; issuer: string; xaa: boolean }) =>
        `  ${s.name.padEnd(8)} ${s.resource}  ${dim(`AS ${s.issuer}${s.xaa ? '' : ', classic only'}`)}`,
    ),
    `  clients  ${manifest.clients.map((c: { name: string }) => c.name).join(', ')}`,
    `  users    ${manifest.users.map((u: { username: string }) => u.username).join(', ')}  ${dim('(password demo)')}`,
    `  manifest ${file}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

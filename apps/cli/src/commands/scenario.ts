import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shortTraceId } from '@xaa/protocol';
import { findScenario, type Manifest, PlaygroundClient, runScenario, SCENARIOS, type StepRecord } from '@xaa/scenarios';
import { bold, CliError, dim, EXIT, green, red } from '../output.ts';

function manifestOf(dataDir: string): Manifest {
  const file = join(dataDir, 'playground.json');
  if (!existsSync(file)) throw new CliError(`No ${file}: start the playground first (\`npm start\`).`, EXIT.error);
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

function printStep(s: StepRecord) {
  if (s.status === 'running') {
    process.stderr.write(`\n${bold(`${s.index + 1}. ${s.title}`)}\n${dim(`   ${s.narration}`)}\n`);
    return;
  }
  const mark = s.status === 'passed' ? green('✓') : red('✗');
  process.stderr.write(`   ${mark} ${s.result?.headline ?? s.error ?? ''} ${dim(`(${s.durationMs} ms, trace …${shortTraceId(s.traceId)})`)}\n`);
  for (const f of s.result?.facts ?? []) {
    const value = f.countdownTo ? `${Math.max(0, Math.round(f.countdownTo - Date.now() / 1000))} s left` : String(f.value);
    process.stderr.write(`     ${dim(`${f.label}:`)} ${value}\n`);
  }
}

/** `xaa scenario [list | <id> | all]`: run the demo stories against the running playground. */
export async function scenarioCommand(options: { dataDir: string; target: string | undefined; json: boolean }): Promise<number> {
  if (!options.target || options.target === 'list') {
    if (options.json)
      process.stdout.write(
        `${JSON.stringify(
          SCENARIOS.map(({ id, title, summary }) => ({ id, title, summary })),
          null,
          2,
        )}\n`,
      );
    else for (const s of SCENARIOS) process.stdout.write(`${bold(s.id.padEnd(20))} ${s.title}\n${dim(`${' '.repeat(21)}${s.summary}`)}\n`);
    return EXIT.ok;
  }
  const list = options.target === 'all' ? [...SCENARIOS] : [findScenario(options.target)];
  if (list.some((s) => !s)) throw new CliError(`No scenario "${options.target}". Try \`xaa scenario list\`.`, EXIT.usage);
  const client = new PlaygroundClient(manifestOf(options.dataDir));
  const runs = [];
  for (const scenario of list) {
    if (!scenario) continue;
    if (!options.json) process.stderr.write(`\n${bold(`▶ ${scenario.title}`)}\n${dim(scenario.summary)}\n`);
    const run = await runScenario(scenario, client, options.json ? {} : { onStep: printStep });
    runs.push(run);
  }
  const ok = runs.every((r) => r.ok);
  if (options.json) process.stdout.write(`${JSON.stringify(runs.length === 1 ? runs[0] : runs, null, 2)}\n`);
  else process.stdout.write(`\n${ok ? green('All steps behaved as the story says.') : red('A step did not behave as the story says.')}\n`);
  return ok ? EXIT.ok : EXIT.error;
}

/**
 * Command-line values that begin with a dash. `util.parseArgs` (strict) refuses `--client-secret -Xy…`
 * as ambiguous, yet a secret, password or id drawn as base64url begins with `-` about once in 64,
 * and the CLIs print such values for people to paste back. `dashValuesJoined` joins that value to its
 * option (`--client-secret=-Xy…`, which parseArgs reads as the value) when the option takes a string
 * and the value is not itself one of the options: a forgotten value (`--client-id --json`) is still
 * refused as before. `parseCliArgs` is `parseArgs` with that joining: what every CLI here parses with.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function dashValuesJoined(args: readonly string[], options: Options): string[] {
  const known = new Set<string>();
  for (const [name, option] of Object.entries(options)) {
    known.add(`--${name}`);
    if (option.short) known.add(`-${option.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      // Everything after the terminator is positional.
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const takesString = arg.startsWith('--') && !arg.includes('=') && options[arg.slice(2)]?.type === 'string';
    // `-x…` joins; `--…` does not (an option, or a typo of one, more likely than a value).
    if (takesString && next?.startsWith('-') && !next.startsWith('--') && !known.has(next)) {
      out.push(`${arg}=${next}`);
      i++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** `util.parseArgs` for a command line, a value that begins with a dash read as its option's value. */
export function parseCliArgs<T extends ParseArgsConfig & { args: string[] }>(config: T): ReturnType<typeof parseArgs<T>> {
  return parseArgs({ ...config, args: dashValuesJoined(config.args, config.options ?? {}) });
}

/** Terminal output for the xaa CLI: one line per step with timing, or JSON for scripts. */
import { colours, wantsColour } from '@xaa/node-kit/colour';

export const EXIT = { ok: 0, error: 1, usage: 2, denied: 3 } as const;

const paint = colours(wantsColour(process.stdout, process.env));
export const { dim, bold, green, red, yellow, cyan } = paint;

export class Progress {
  private readonly t0 = performance.now();
  constructor(private readonly quiet = false) {}

  step(label: string, detail = ''): void {
    if (this.quiet) return;
    const ms = (performance.now() - this.t0).toFixed(0).padStart(5);
    process.stderr.write(`${dim(`${ms} ms`)}  ${green('✓')} ${label}${detail ? dim(`  ${detail}`) : ''}\n`);
  }

  fail(label: string, detail = ''): void {
    if (this.quiet) return;
    const ms = (performance.now() - this.t0).toFixed(0).padStart(5);
    process.stderr.write(`${dim(`${ms} ms`)}  ${red('✗')} ${label}${detail ? `  ${detail}` : ''}\n`);
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }
}

export class UsageError extends Error {}

/** An expected failure with a message for people (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}

/** Terminal output for the xaa CLI: one line per step with timing, or JSON for scripts. */

export const EXIT = { ok: 0, error: 1, usage: 2, denied: 3 } as const;

const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);
export const dim = paint('2');
export const bold = paint('1');
export const green = paint('32');
export const red = paint('31');
export const yellow = paint('33');
export const cyan = paint('36');

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

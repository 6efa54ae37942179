/**
 * The one terminal-colour helper of the CLIs (xaa, the sample agent, the scorecards): picocolors'
 * formatters, switched on only for a terminal that wants them — a TTY, without `NO_COLOR`
 * (no-color.org) — so piped output and `--json` never carry escape codes.
 */
import picocolors from 'picocolors';

export type Colours = ReturnType<typeof picocolors.createColors>;
/** The name of one formatter (`red`, `bold`, …). */
export type Colour = Exclude<keyof Colours, 'isColorSupported'>;

/** Whether output to `stream` should be coloured. */
export function wantsColour(stream: { isTTY?: boolean }, env: { NO_COLOR?: string | undefined }): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

/** The formatters (`bold`, `dim`, `red`, `green`, …): real colours when `enabled`, the text unchanged otherwise. */
export function colours(enabled: boolean): Colours {
  return picocolors.createColors(enabled);
}

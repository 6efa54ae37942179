export type { PlaygroundPart } from './parts.ts';
export { type PlaygroundOptions, type RunningPlayground, startPlayground } from './playground.ts';

/**
 * The module a worker thread of `startPlayground({ threads })` runs when the playground runs from its
 * TypeScript sources (registers tsx, then the CLI entry, which starts the part it is given).
 */
export const SOURCE_THREAD_ENTRY = new URL('./thread-entry.mjs', import.meta.url);

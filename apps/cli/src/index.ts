export { SOURCE_THREAD_ENTRY } from './part-thread.ts';
export type { PlaygroundPart } from './parts.ts';
export { type PlaygroundOptions, type RunningPlayground, startPlayground } from './playground.ts';

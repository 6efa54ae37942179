export { type PlaygroundOptions, type RunningPlayground, startPlayground } from './playground.ts';

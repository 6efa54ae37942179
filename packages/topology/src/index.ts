export * from './default.ts';
export * from './manifest.ts';
export type * from './types.ts';

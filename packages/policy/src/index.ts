export * from './directory.ts';
export * from './evaluate.ts';
export type * from './types.ts';

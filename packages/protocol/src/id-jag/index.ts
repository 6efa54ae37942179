export * from './claims.ts';
export * from './mint.ts';
export * from './verify.ts';

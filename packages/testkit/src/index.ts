export * from './sso.ts';

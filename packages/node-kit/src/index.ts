export * from './admin-auth.ts';
export * from './db.ts';
export * from './flow-log.ts';
export * from './koa.ts';
export * from './oidc-provider-errors.ts';
export * from './outbound.ts';
export * from './server.ts';

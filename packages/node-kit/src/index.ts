export * from './admin-auth.ts';
export * from './db.ts';
export * from './flow-log.ts';
export * from './guarded-surface.ts';
export * from './host-check.ts';
export * from './koa.ts';
export * from './oidc-provider-errors.ts';
export * from './server.ts';

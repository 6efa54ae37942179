/** The oidc-provider host kit shared by the IdP and every sample AS (`@xaa/node-kit/oidc-host`). */
export * from './oidc-host/adapter.ts';
export * from './oidc-host/errors.ts';
export * from './oidc-host/grants.ts';
export * from './oidc-host/host.ts';
export * from './oidc-host/request-storage.ts';
export * from './oidc-host/steps.ts';

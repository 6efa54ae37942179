/** The oidc-provider host kit shared by the IdP and every sample AS (`@xaa/node-kit/oidc-host`). */
export * from './oidc-host/adapter.ts';

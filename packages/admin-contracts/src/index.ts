/** `@xaa/admin-contracts`: the admin APIs' schemas. Import `@xaa/admin-contracts/idp` or `/resource-server` for one API. */
export * from './fields.ts';

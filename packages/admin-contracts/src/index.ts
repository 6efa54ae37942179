/** `@xaa/admin-contracts`: the admin APIs' schemas. Import `@xaa/admin-contracts/idp`, `/resource-server` or `/agent` for one API. */
export * from './fields.ts';

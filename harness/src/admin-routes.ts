/**
 * Admin routes of the APIs that publish no OpenAPI document (the sample servers' and the sample
 * client's), relative to the admin base URL; `:x` marks an id. The IdP's come from `/admin/openapi.json`.
 */
export interface AdminRoute {
  method: string;
  path: string;
}

const r = (spec: string): AdminRoute => {
  const [method = 'GET', path = ''] = spec.split(' ');
  return { method, path };
};

export const SERVER_ADMIN_ROUTES: AdminRoute[] = [
  'GET ',
  'GET /trusted-issuers',
  'POST /trusted-issuers',
  'PATCH /trusted-issuers/:x',
  'DELETE /trusted-issuers/:x',
  'GET /settings',
  'PATCH /settings',
  'GET /clients',
  'POST /clients',
  'DELETE /clients/:x',
  'GET /users',
  'DELETE /users/:x',
  'POST /data/reset',
].map(r);

export const AGENT_ADMIN_ROUTES: AdminRoute[] = [
  'GET /agent/status',
  'POST /agent/login',
  'POST /agent/connect',
  'POST /agent/call',
  'POST /agent/refresh',
  'POST /agent/logout',
].map(r);

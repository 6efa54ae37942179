/**
 * The admin APIs the console backend fronts: `/api/<app>/…` → `<that app's admin URL>/…`
 * (docs/decisions.md §2, docs/contracts.md "Admin APIs"). Each base URL is also the RFC 8707 resource of its tokens.
 */
import type { Topology } from '@xaa/topology';

export interface AdminApi {
  /** Path segment(s) under /api: `idp`, `agent`, `servers/<name>`. */
  key: string;
  /** Party names this API's events carry (for the UI's source status). */
  label: string;
  /** Base URL, e.g. http://localhost:4000/admin; also the token's resource indicator. */
  base: string;
}

export function adminApis(t: Topology): AdminApi[] {
  return [
    { key: 'idp', label: 'IdP', base: t.idp.admin },
    ...t.servers.map((s) => ({ key: `servers/${s.name}`, label: s.title, base: s.admin })),
    { key: 'agent', label: 'Sample client', base: t.agent.admin },
  ];
}

/** Resolve `/api/<…>` (without the `/api/` prefix) to an API and the path beneath its base. */
export function resolveApi(apis: readonly AdminApi[], rest: string): { api: AdminApi; path: string } | undefined {
  for (const api of apis) {
    if (rest === api.key || rest.startsWith(`${api.key}/`)) return { api, path: rest.slice(api.key.length) || '/' };
  }
  return undefined;
}

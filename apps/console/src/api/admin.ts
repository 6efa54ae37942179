/**
 * Typed calls to the admin APIs through the console backend (`/api/idp/…` → IdP `/admin/…`,
 * `/api/agent/…` → sample client `/admin/…`). Paths follow the IdP's /admin/openapi.json.
 */
import { api } from './bff.ts';
import type { AccessEntry, App, AuditEntry, Connection, ConnectionDraft, Group, Server, SimulateResult, User } from './types.ts';

/** Lists come as `{ <key>: [...] }`; accept a bare array too. */
function list<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const v = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

export const idp = {
  users: async () => list<User>(await api('/api/idp/users'), 'users'),
  groups: async () => list<Group>(await api('/api/idp/groups'), 'groups'),
  apps: async () => list<App>(await api('/api/idp/apps'), 'apps'),
  servers: async () => list<Server>(await api('/api/idp/servers'), 'servers'),
  connections: async () => list<Connection>(await api('/api/idp/connections'), 'connections'),
  saveConnection: (d: ConnectionDraft) => {
    const { id, ...body } = d;
    return id
      ? api<Connection>(`/api/idp/connections/${encodeURIComponent(id)}`, { method: 'PUT', body })
      : api<Connection>('/api/idp/connections', { method: 'POST', body });
  },
  deleteConnection: (id: string) => api<void>(`/api/idp/connections/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  setUserDisabled: (id: string, disabled: boolean) => api<User>(`/api/idp/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: { disabled } }),
  revokeSessions: (id: string) => api<unknown>(`/api/idp/users/${encodeURIComponent(id)}/revoke`, { method: 'POST', body: {} }),
  rotateKey: () => api<{ kid?: string }>('/api/idp/keys/rotate', { method: 'POST', body: {} }),
  keys: async () => list<{ kid: string; alg: string; status?: string; created_at?: number }>(await api('/api/idp/keys'), 'keys'),
  simulate: (input: { user: string; client_id: string; server: string; scopes?: string[] }) =>
    api<SimulateResult>('/api/idp/simulate', { method: 'POST', body: input }),
  access: async (user: string) => list<AccessEntry>(await api(`/api/idp/users/${encodeURIComponent(user)}/access`), 'access'),
  audit: async (q: { q?: string; kind?: string; limit?: number }) => {
    const params = new URLSearchParams();
    if (q.q) params.set('q', q.q);
    if (q.kind) params.set('kind', q.kind);
    params.set('limit', String(q.limit ?? 500));
    const body = await api<{ entries?: AuditEntry[]; total?: number }>(`/api/idp/audit?${params}`);
    return { entries: list<AuditEntry>(body, 'entries'), total: body.total };
  },
  auditExportUrl: (format: 'csv' | 'json', q: { q?: string; kind?: string }) => {
    const params = new URLSearchParams({ format });
    if (q.q) params.set('q', q.q);
    if (q.kind) params.set('kind', q.kind);
    return `/api/idp/audit/export?${params}`;
  },
};

/**
 * Typed calls to the admin APIs through the console backend (`/api/idp/…` → IdP `/admin/…`,
 * `/api/agent/…` → sample client `/admin/…`). Paths and bodies follow the IdP's /admin/openapi.json.
 */

import type {
  AccessAllowed,
  AccessDenied,
  App,
  Connection,
  connectionCreate,
  EffectiveAccess,
  Group,
  KeysView,
  SamlInfo,
  Server,
  SimulateResult,
  User,
} from '@xaa/admin-contracts/idp';
import type { FlowEvent } from '@xaa/protocol';
import type { z } from 'zod';
import { api } from './bff.ts';

/** A connection being edited: the create request (@xaa/admin-contracts), plus its id once saved. */
export type ConnectionDraft = z.input<typeof connectionCreate> & { id?: string };

/** One row of a user's effective access: an allowed or a denied (app, server) pair. */
export type AccessEntry = (AccessAllowed & { effect: 'allow' }) | (AccessDenied & { effect: 'deny' });

/** Lists come as `{ <key>: [...] }`; accept a bare array too. */
function list<T>(body: unknown, key: string): T[] {
  if (Array.isArray(body)) return body as T[];
  const v = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) ? (v as T[]) : [];
}

export interface AuditQuery {
  q?: string;
  step?: string;
  outcome?: string;
  user?: string;
  limit?: number;
}

function auditParams(q: AuditQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  return params;
}

export const idp = {
  users: async () => list<User>(await api('/api/idp/users'), 'users'),
  groups: async () => list<Group>(await api('/api/idp/groups'), 'groups'),
  apps: async () => list<App>(await api('/api/idp/apps'), 'apps'),
  servers: async () => list<Server>(await api('/api/idp/servers'), 'servers'),
  connections: async () => list<Connection>(await api('/api/idp/connections'), 'connections'),
  saveConnection: (d: ConnectionDraft) => {
    const { id, client_id, server, ...patch } = d;
    return id
      ? api<Connection>(`/api/idp/connections/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch })
      : api<Connection>('/api/idp/connections', { method: 'POST', body: { client_id, server, ...patch } });
  },
  deleteConnection: (id: string) => api<void>(`/api/idp/connections/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  setUserDisabled: (id: string, disabled: boolean) => api<User>(`/api/idp/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: { disabled } }),
  revokeSessions: (id: string) => api<{ revoked: number }>(`/api/idp/users/${encodeURIComponent(id)}/revoke-sessions`, { method: 'POST', body: {} }),
  keys: () => api<KeysView>('/api/idp/keys'),
  rotateKey: () => api<{ current_kid: string | null }>('/api/idp/keys/rotate', { method: 'POST', body: {} }),
  saml: () => api<SamlInfo>('/api/idp/saml'),
  putSaml: (clientId: string, body: { entity_id: string; acs_urls: string[]; name_id_format?: string }) =>
    api<SamlInfo['apps'][number]>(`/api/idp/apps/${encodeURIComponent(clientId)}/saml`, { method: 'PUT', body }),
  deleteSaml: (clientId: string) => api<void>(`/api/idp/apps/${encodeURIComponent(clientId)}/saml`, { method: 'DELETE' }),
  simulate: (input: { user: string; app: string; server: string; scopes?: string[] | undefined; dpop?: boolean }) =>
    api<SimulateResult>('/api/idp/simulate', { method: 'POST', body: input }),
  access: async (user: string): Promise<AccessEntry[]> => {
    const body = await api<Partial<EffectiveAccess>>(`/api/idp/users/${encodeURIComponent(user)}/effective-access`);
    return [...(body.access ?? []).map((a) => ({ ...a, effect: 'allow' as const })), ...(body.denied ?? []).map((a) => ({ ...a, effect: 'deny' as const }))];
  },
  audit: async (q: AuditQuery) => list<FlowEvent>(await api(`/api/idp/audit?${auditParams({ limit: 500, ...q })}`), 'events'),
  auditExportUrl: (format: 'csv' | 'json', q: AuditQuery) => `/api/idp/audit?${auditParams({ limit: 5000, ...q })}&format=${format}`,
};

/**
 * "Add a server" through the console backend (`/api/add-server/…`). Types come from the package
 * that produces the data (type-only imports: it runs in the backend).
 */
import type { AddServerResult, Finding, ScorecardReport, ServerDiscovery } from '@xaa/scorecard';
import { api } from './bff.ts';

export type { AddServerResult, Finding, ScorecardReport, ServerDiscovery };

/** What the sample agent answered when the backend told it about the added server. */
export type AgentAnswer = { ok: true; server: string } | { ok: false; error: string; error_description: string };
export type Added = AddServerResult & { agent?: AgentAnswer };

export interface RegisterRequest {
  url: string;
  app?: string;
  name?: string;
  scopes?: string[];
  clientId?: string;
  clientSecret?: string;
}

export const addServerApi = {
  discover: (url: string) => api<{ discovery: ServerDiscovery }>('/api/add-server/discover', { method: 'POST', body: { url } }),
  register: (body: RegisterRequest) => api<{ discovery: ServerDiscovery; added: Added }>('/api/add-server/register', { method: 'POST', body }),
  scorecard: (body: { url: string; clientId: string; clientSecret: string }) =>
    api<{ report: ScorecardReport; trust: Finding; junit: string }>('/api/add-server/scorecard', { method: 'POST', body }),
};

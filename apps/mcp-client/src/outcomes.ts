/**
 * What each agent action returns: plain data with an `outcome` (`ok` / `denied` / `error`, which the
 * CLI maps to exit codes 0 / 3 / 1), the trace id and the progress steps it went through.
 */

import type { CallToolResult } from '@modelcontextprotocol/client';
import type { KnownServer } from './added-servers.ts';
import type { AgentServer } from './config.ts';
import type { Failure } from './flow.ts';
import type { ProgressStep } from './progress.ts';

export type Outcome = 'ok' | 'denied' | 'error';

export interface ErrorInfo {
  code: string;
  description: string;
  stage?: string | undefined;
}

export interface Base {
  outcome: Outcome;
  traceId: string;
  steps: ProgressStep[];
  error?: ErrorInfo | undefined;
}

export interface LoginOutcome extends Base {
  user?: string | undefined;
  app: string;
  sub?: string | undefined;
  idTokenExpiresAt?: number | undefined;
  refreshToken: boolean;
  consentScreens: number;
  /** Interactive: where the user's browser must go; `/callback` completes the login. */
  authorizationUrl?: string | undefined;
  state?: string | undefined;
  /** 'saml2' for a SAML 2.0 sign-in (the session holds the IdP refresh token its Assertion was exchanged for). */
  protocol?: 'oidc' | 'saml2' | undefined;
}

export interface ServerOutcome {
  server: string;
  title: string;
  mode: 'xaa' | 'classic';
  status: 'connected' | 'blocked' | 'error' | 'pending';
  /** Human sentence, e.g. "blocked by your organization". */
  message: string;
  scope?: string | undefined;
  expiresAt?: number | undefined;
  jti?: string | undefined;
  tools?: string[] | undefined;
  /** The tools as the server listed them (name, description, JSON Schema of the arguments). */
  toolList?: ToolInfo[] | undefined;
  consentScreens: number;
  authorizationUrl?: string | undefined;
  error?: ErrorInfo | undefined;
}

export interface ConnectOutcome extends Base {
  user: string;
  app: string;
  purpose: string;
  servers: ServerOutcome[];
  /** Consent screens the user had to pass in this action (0 with XAA). */
  consentScreens: number;
}

export interface CallOutcome extends Base {
  server: string;
  tool: string;
  result?: CallToolResult | undefined;
  /** A fresh ID-JAG and access token were fetched during this call (expiry or 401). */
  renewed: boolean;
  jti?: string | undefined;
}

export interface RefreshOutcome extends Base {
  user: string;
  app: string;
  idTokenExpiresAt?: number | undefined;
}

export interface StatusReport {
  current: { user: string; app: string } | undefined;
  /** The servers the agent can connect to (configured, and learnt at run time). */
  servers: KnownServer[];
  session?:
    | {
        user: string;
        app: string;
        sub: string;
        idTokenExpiresAt: number;
        refreshToken: boolean;
        loginTraceId: string;
        idTokenHash: string;
        protocol?: 'oidc' | 'saml2';
      }
    | undefined;
  connections: Array<{
    server: string;
    purpose: string;
    mode: 'xaa' | 'classic';
    status: string;
    scope: string | null;
    expiresAt: number | null;
    expiresIn: number | null;
    jti: string | null;
    consentScreens: number;
    tools: string[];
    toolList: ToolInfo[];
    error: ErrorInfo | null;
  }>;
}

/** A down-scoped connection is kept apart from the app's own, keyed by its (sorted) scope. */
export const purposeOf = (scope: string | undefined) => (scope ? `scope:${[...new Set(scope.split(' ').filter(Boolean))].sort().join(' ')}` : '');

export function worst(outcomes: Outcome[]): Outcome {
  return outcomes.includes('error') ? 'error' : outcomes.includes('denied') ? 'denied' : 'ok';
}

export function failureOutcome(s: AgentServer, f: Failure, mode: 'xaa' | 'classic' = 'xaa'): ServerOutcome {
  const blocked = f.outcome === 'denied';
  return {
    server: s.name,
    title: s.title,
    mode,
    status: blocked ? 'blocked' : 'error',
    message: blocked ? `blocked by your organization — ${f.code}${f.description ? `: ${f.description}` : ''}` : `${f.stage}: ${f.code} — ${f.description}`,
    consentScreens: 0,
    error: { code: f.code, description: f.description, stage: f.stage },
  };
}

/** One tool from `tools/list` (MCP 2025-11-25 §Tools): what a UI needs to offer it and build its arguments. */
export interface ToolInfo {
  name: string;
  title?: string;
  description?: string;
  /** The JSON Schema of the tool's arguments, as the server sent it. */
  inputSchema?: Record<string, unknown>;
}

/** Largest tool list kept with a connection (bytes of JSON); beyond it only names are kept. */
const MAX_TOOL_LIST = 256 * 1024;

/** The part of a `tools/list` result worth keeping, bounded in size (a server's schemas are its own business). */
export function toolInfos(
  tools: ReadonlyArray<{ name: string; title?: string | undefined; description?: string | undefined; inputSchema?: unknown }>,
): ToolInfo[] {
  const full = tools.map((t) => ({
    name: t.name,
    ...(typeof t.title === 'string' ? { title: t.title } : {}),
    ...(typeof t.description === 'string' ? { description: t.description } : {}),
    ...(t.inputSchema && typeof t.inputSchema === 'object' ? { inputSchema: t.inputSchema as Record<string, unknown> } : {}),
  }));
  return JSON.stringify(full).length <= MAX_TOOL_LIST ? full : tools.map((t) => ({ name: t.name }));
}

/** The stored tool list of a connection, or names only for rows written before tool lists were kept. */
export function parseToolList(toolList: string | null, names: string | null): ToolInfo[] {
  try {
    if (toolList) return JSON.parse(toolList) as ToolInfo[];
    return names ? (JSON.parse(names) as string[]).map((name) => ({ name })) : [];
  } catch {
    return [];
  }
}

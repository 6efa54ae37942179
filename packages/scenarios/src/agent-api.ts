/**
 * The slice of the sample client's agent API the stories use (apps/mcp-client README "HTTP API"),
 * typed by what the stories read. The agent continues the caller's `traceparent`.
 */
import type { PlaygroundClient } from './playground-client.ts';

export interface ErrorInfo {
  code: string;
  description: string;
  stage?: string;
}

export interface ServerOutcome {
  server: string;
  title: string;
  mode: 'xaa' | 'classic';
  status: 'connected' | 'blocked' | 'error' | 'pending';
  message: string;
  scope?: string;
  expiresAt?: number;
  jti?: string;
  tools?: string[];
  consentScreens: number;
  error?: ErrorInfo;
}

export interface ConnectOutcome {
  outcome: 'ok' | 'denied' | 'error';
  traceId: string;
  servers: ServerOutcome[];
  consentScreens: number;
  steps: Array<{ label?: string; ms?: number }>;
  error?: ErrorInfo;
}

export interface LoginOutcome {
  outcome: 'ok' | 'denied' | 'error';
  consentScreens: number;
  sub?: string;
  /** 'saml2' after a SAML 2.0 sign-in. */
  protocol?: string;
  error?: ErrorInfo;
}

export interface CallOutcome {
  outcome: 'ok' | 'denied' | 'error';
  renewed: boolean;
  jti?: string;
  result?: { content?: Array<{ type: string; text?: string }>; isError?: boolean };
  error?: ErrorInfo;
}

export interface Who {
  user: string;
  app: string;
}

/** The agent API answers 4xx for denials with the outcome in the body; a story wants the outcome either way. */
async function post<T>(client: PlaygroundClient, path: string, body: unknown): Promise<T> {
  const url = `${client.manifest.agent.url}/admin/agent/${path}`;
  const r = await client.request<T>('POST', url, { token: await client.adminToken(`${client.manifest.agent.url}/admin`), body });
  if (r.status >= 500 || typeof r.body !== 'object' || r.body === null) throw new Error(`${url} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

export const agentApi = {
  login: (c: PlaygroundClient, who: Who, extra: { protocol?: 'oidc' | 'saml' } = {}) =>
    post<LoginOutcome>(c, 'login', { user: who.user, app: who.app, headless: true, ...extra }),
  logout: (c: PlaygroundClient, who: Who) => post<unknown>(c, 'logout', { user: who.user, app: who.app }),
  connect: (c: PlaygroundClient, who: Who, servers: string[], extra: { classic?: boolean; scope?: string } = {}) =>
    post<ConnectOutcome>(c, 'connect', { user: who.user, app: who.app, servers, headless: true, ...extra }),
  call: (c: PlaygroundClient, who: Who, server: string, tool: string, args: Record<string, unknown> = {}) =>
    post<CallOutcome>(c, 'call', { user: who.user, app: who.app, server, tool, args }),
};

export function textOf(call: CallOutcome): string {
  return (call.result?.content ?? [])
    .map((c) => c.text ?? '')
    .join(' ')
    .trim();
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { idp } from '../api/admin.ts';
import { ApiError, api, type PlaygroundInfo } from '../api/bff.ts';
import { type AgentAction, AgentPanel, type AgentServerOption, type AgentTool } from '../components/AgentPanel/AgentPanel.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { type AgentActivityState, useAgentActivity } from '../state/agent-activity-state.ts';
import type { FlowLogState } from '../state/flow-log-state.ts';
import { useDirectory } from './ConnectionsPage.tsx';

/** The sample client's agent API (apps/mcp-client `/admin/agent/…`), through the backend. */
interface Outcome {
  outcome: 'ok' | 'denied' | 'error';
  traceId?: string;
  error?: { code: string; description: string; stage?: string };
  authorizationUrl?: string;
  servers?: Array<{
    server: string;
    title: string;
    status: string;
    message: string;
    tools?: string[];
    toolList?: AgentTool[];
    scope?: string;
    error?: { code: string; description: string };
    /** Classic servers (no XAA): where the user approves, after signing in through the company IdP. */
    authorizationUrl?: string;
  }>;
  result?: unknown;
}
interface Status {
  current?: { user: string; app: string };
  /** The servers the agent can connect to: configured, and added at run time ("Add a server"). */
  servers?: Array<{ name: string; title: string; added: boolean }>;
  connections?: Array<{ server: string; status: string; tools: string[]; toolList?: AgentTool[]; scope: string | null; expiresAt: number | null }>;
}

export function AgentPage({ state, activity }: { playground: PlaygroundInfo; state: FlowLogState; activity: AgentActivityState }) {
  const dir = useDirectory();
  const qc = useQueryClient();
  const navigate = useNavigate();
  // Polled: a sign-in at the IdP page finishes in another tab, at the agent's /callback.
  const status = useQuery({ queryKey: ['agent', 'status'], queryFn: () => api<Status>('/api/agent/agent/status'), retry: 0, refetchInterval: 3000 });
  const saml = useQuery({ queryKey: ['idp', 'saml'], queryFn: idp.saml, retry: 0 });
  const actions = useAgentActivity(activity);
  const [connected, setConnected] = useState<Record<string, AgentTool[]>>({});
  const [busy, setBusy] = useState(false);

  const fromStatus: Record<string, AgentTool[]> = Object.fromEntries(
    (status.data?.connections ?? []).filter((c) => c.status === 'connected').map((c) => [c.server, c.toolList ?? c.tools.map((name) => ({ name }))]),
  );
  const tools = { ...fromStatus, ...connected };
  // The agent's own list (what it can reach), with the IdP's word on XAA; the IdP's list until the status comes.
  const servers: AgentServerOption[] = status.data?.servers
    ? status.data.servers.map((s) => ({ name: s.name, title: s.title, xaa: dir.servers.find((d) => d.name === s.name)?.xaa ?? true, added: s.added }))
    : dir.servers.map((s) => ({ name: s.name, title: s.title, xaa: s.xaa }));

  const run = async (kind: AgentAction['kind'], label: string, path: string, body: unknown, onDone?: (r: Outcome) => Partial<AgentAction> | undefined) => {
    const id = activity.start(kind, label);
    setBusy(true);
    const finish = (patch: Partial<AgentAction>) => activity.finish(id, patch);
    try {
      const r = await api<Outcome>(path, { method: 'POST', body });
      finish({
        outcome: r.outcome ?? 'ok',
        ...(r.traceId ? { traceId: r.traceId } : {}),
        ...(r.error ? { detail: `${r.error.code}: ${r.error.description}` } : {}),
        ...(onDone?.(r) ?? {}),
      });
    } catch (e) {
      finish({ outcome: 'error', detail: e instanceof ApiError ? `${e.error}: ${e.description}` : String(e) });
    } finally {
      setBusy(false);
      void qc.invalidateQueries({ queryKey: ['agent', 'status'] });
    }
  };

  return (
    <>
      <PageHeader
        title="Agent"
        description="Run the sample MCP client as a chosen user and app: real SSO through the IdP, a fresh ID-JAG per server, an access token from each server's AS, then tool calls. Each action appears in Live flows."
      />
      {dir.isPending ? (
        <Loading />
      ) : dir.error ? (
        <ErrorState error={dir.error} onRetry={dir.refetch} />
      ) : (
        <AgentPanel
          users={dir.users}
          apps={dir.apps}
          servers={servers}
          session={status.data?.current ? { user: status.data.current.user, client_id: status.data.current.app } : undefined}
          tools={tools}
          connections={status.data?.connections ?? []}
          actions={actions}
          busy={busy}
          samlApps={(saml.data?.apps ?? []).map((a) => a.client_id)}
          onLogin={({ username, client_id, mode, password, protocol }) =>
            run(
              'login',
              `Sign in as ${username} with ${client_id}${protocol === 'saml' ? ' over SAML 2.0' : ''}${mode === 'browser' ? ' at the IdP page' : ''}`,
              '/api/agent/agent/login',
              {
                user: username,
                app: client_id,
                ...(protocol === 'saml' ? { protocol: 'saml' } : {}),
                ...(mode === 'headless' ? { headless: true, password } : {}),
              },
              (r) =>
                mode === 'browser' && r.authorizationUrl
                  ? {
                      detail: 'Open the IdP sign-in page and sign in; the IdP sends the browser back to the agent, which finishes the login.',
                      link: { href: r.authorizationUrl, label: 'Open the IdP sign-in page' },
                    }
                  : undefined,
            )
          }
          onLogout={() => run('logout', 'Sign out', '/api/agent/agent/logout', {})}
          onConnect={(server, dpop) =>
            run(
              'connect',
              `Connect to ${server}${dpop ? ' (DPoP)' : ''}`,
              '/api/agent/agent/connect',
              { servers: [server], ...(dpop ? { dpop } : {}) },
              (r) => {
                const s = r.servers?.find((x) => x.server === server);
                if (s?.status === 'connected') setConnected((t) => ({ ...t, [server]: s.toolList ?? (s.tools ?? []).map((name) => ({ name })) }));
                else
                  setConnected((t) => {
                    const { [server]: _gone, ...rest } = t;
                    return rest;
                  });
                if (s?.status === 'pending' && s.authorizationUrl)
                  return {
                    outcome: 'pending',
                    detail: `${s.title} has no XAA: open its page, sign in through the company IdP (silent when you are signed in there) and answer its consent screen.`,
                    link: { href: s.authorizationUrl, label: `Approve at ${s.title}` },
                  };
                return s
                  ? {
                      outcome: s.status === 'connected' ? 'ok' : s.status === 'blocked' ? 'denied' : 'error',
                      detail: `${s.message}${s.error ? ` (${s.error.code}: ${s.error.description})` : ''}${s.scope && !s.message.includes(s.scope) ? ` · scope ${s.scope}` : ''}`,
                    }
                  : undefined;
              },
            )
          }
          onCall={(server, tool, args, dpop) =>
            run('call', `Call ${tool} on ${server}`, '/api/agent/agent/call', { server, tool, args, ...(dpop ? { dpop } : {}) }, (r) =>
              r.result !== undefined ? { result: r.result } : undefined,
            )
          }
          onShowTrace={(traceId) => {
            state.setFilter({ traceId });
            navigate('/flows');
          }}
        />
      )}
    </>
  );
}

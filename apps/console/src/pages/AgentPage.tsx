import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError, api, type PlaygroundInfo } from '../api/bff.ts';
import { type AgentAction, AgentPanel, type AgentTool } from '../components/AgentPanel/AgentPanel.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import type { FlowLogState } from '../state/flow-log-state.ts';
import { useDirectory } from './ConnectionsPage.tsx';

interface AgentReply {
  ok?: boolean;
  outcome?: 'ok' | 'denied' | 'error';
  traceId?: string;
  error?: string;
  error_description?: string;
  authorizeUrl?: string;
  user?: string;
  client_id?: string;
  tools?: AgentTool[];
  result?: unknown;
  [k: string]: unknown;
}

let seq = 0;

export function AgentPage({ state }: { playground: PlaygroundInfo; state: FlowLogState }) {
  const dir = useDirectory();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const status = useQuery({ queryKey: ['agent', 'status'], queryFn: () => api<{ user?: string; client_id?: string }>('/api/agent/agent/status'), retry: 0 });
  const [actions, setActions] = useState<AgentAction[]>([]);
  const [tools, setTools] = useState<Record<string, AgentTool[]>>({});
  const [busy, setBusy] = useState(false);

  const run = async (kind: AgentAction['kind'], label: string, path: string, body: unknown, onOk?: (r: AgentReply) => void) => {
    const id = `a${++seq}`;
    setActions((a) => [...a, { id, kind, label, outcome: 'pending' }]);
    setBusy(true);
    const finish = (patch: Partial<AgentAction>) => setActions((a) => a.map((x) => (x.id === id ? { ...x, ...patch } : x)));
    try {
      const r = await api<AgentReply>(path, { method: 'POST', body });
      const outcome = r.outcome ?? (r.ok === false ? 'error' : 'ok');
      finish({
        outcome,
        ...(r.traceId ? { traceId: r.traceId } : {}),
        ...(r.error ? { detail: `${r.error}: ${r.error_description ?? ''}` } : {}),
        ...(r.result !== undefined ? { result: r.result } : {}),
      });
      if (outcome === 'ok') onOk?.(r);
    } catch (e) {
      const err = e as ApiError;
      const body = err instanceof ApiError ? err : undefined;
      finish({
        outcome: body && (body.status === 403 || body.error === 'access_denied') ? 'denied' : 'error',
        detail: body ? `${body.error}: ${body.description}` : String(e),
      });
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
          servers={dir.servers}
          session={status.data}
          tools={tools}
          actions={actions}
          busy={busy}
          onLogin={({ username, client_id, mode, password }) =>
            run(
              'login',
              `Sign in as ${username} with ${client_id}${mode === 'browser' ? ' (IdP page)' : ''}`,
              '/api/agent/agent/login',
              { username, password, client_id, mode },
              (r) => {
                if (mode === 'browser' && r.authorizeUrl) window.open(r.authorizeUrl, '_blank', 'noopener');
              },
            )
          }
          onLogout={() => run('logout', 'Sign out', '/api/agent/agent/logout', {})}
          onConnect={(server) =>
            run('connect', `Connect to ${server}`, '/api/agent/agent/connect', { server }, (r) => setTools((t) => ({ ...t, [server]: r.tools ?? [] })))
          }
          onCall={(server, tool, args) => run('call', `Call ${tool} on ${server}`, '/api/agent/agent/call', { server, tool, arguments: args })}
          onShowTrace={(traceId) => {
            state.setFilter({ traceId });
            navigate('/flows');
          }}
        />
      )}
    </>
  );
}

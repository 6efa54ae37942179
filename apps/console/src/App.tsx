/** The shell only wires: session gate, layout, routes → pages. */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { api, type SessionInfo, setCsrfToken } from './api/bff.ts';
import { ErrorState } from './components/ErrorState/ErrorState.tsx';
import { Layout } from './components/Layout/Layout.tsx';
import { Loading } from './components/Loading/Loading.tsx';
import { AccessPage } from './pages/AccessPage.tsx';
import { AddServerPage } from './pages/AddServerPage.tsx';
import { AgentPage } from './pages/AgentPage.tsx';
import { AuditPage } from './pages/AuditPage.tsx';
import { ConnectionsPage } from './pages/ConnectionsPage.tsx';
import { DirectoryPage } from './pages/DirectoryPage.tsx';
import { FlowsPage } from './pages/FlowsPage.tsx';
import { InspectorPage } from './pages/InspectorPage.tsx';
import { PresenterPage } from './pages/PresenterPage.tsx';
import { ScenariosPage } from './pages/ScenariosPage.tsx';
import { ScorecardPage } from './pages/ScorecardPage.tsx';
import { SimulatorPage } from './pages/SimulatorPage.tsx';
import { AgentActivityState } from './state/agent-activity-state.ts';
import { FlowLogState } from './state/flow-log-state.ts';

export function App() {
  const session = useQuery({ queryKey: ['session'], queryFn: () => api<SessionInfo>('/api/session'), staleTime: 60_000 });
  const flowLog = useMemo(() => new FlowLogState(), []);
  const agentActivity = useMemo(() => new AgentActivityState(), []);
  // A token handed from the live view to the inspector, in memory only (never in browser storage).
  const [inspect, setInspect] = useState<{ token: string; n: number }>({ token: '', n: 0 });
  const navigate = useNavigate();
  const location = useLocation();

  useEffect(() => {
    const onSignedOut = () => window.location.assign(`/auth/login?returnTo=${encodeURIComponent(window.location.pathname)}`);
    window.addEventListener('xaa:signed-out', onSignedOut);
    return () => window.removeEventListener('xaa:signed-out', onSignedOut);
  }, []);

  // The live view tells the console's own sign-in and admin-token traffic apart by its client id.
  const consoleClient = session.data?.signedIn ? session.data.playground.console.client_id : undefined;
  useEffect(() => {
    if (consoleClient) flowLog.setConsoleClients([consoleClient]);
  }, [consoleClient, flowLog]);

  if (session.isPending) return <Loading label="Opening the console…" />;
  if (session.isError) return <ErrorState title="The console backend is not answering" error={session.error} onRetry={() => session.refetch()} />;
  const info = session.data;
  if (!info.signedIn) {
    window.location.assign(`/auth/login?returnTo=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    return <Loading label="Redirecting to the IdP sign-in…" />;
  }
  setCsrfToken(info.csrfToken);
  const signOut = async () => {
    const r = await api<{ endSessionUrl?: string }>('/auth/logout', { method: 'POST' }).catch(() => ({}) as { endSessionUrl?: string });
    window.location.assign(r.endSessionUrl ?? '/');
  };
  // The presenter view is full-screen, outside the shell.
  if (location.pathname.startsWith('/present/'))
    return (
      <Routes>
        <Route path="/present/:scenarioId" element={<PresenterPage />} />
      </Routes>
    );
  return (
    <Layout user={info.user} onSignOut={signOut}>
      <Routes>
        <Route path="/" element={<Navigate to="/connections" replace />} />
        <Route path="/connections" element={<ConnectionsPage playground={info.playground} />} />
        <Route path="/access" element={<AccessPage playground={info.playground} />} />
        <Route path="/simulator" element={<SimulatorPage playground={info.playground} />} />
        <Route path="/directory/*" element={<DirectoryPage playground={info.playground} me={info.user.username} />} />
        <Route
          path="/flows"
          element={
            <FlowsPage
              state={flowLog}
              onInspect={(token) => {
                setInspect((i) => ({ token, n: i.n + 1 }));
                navigate('/inspector');
              }}
            />
          }
        />
        <Route path="/audit" element={<AuditPage playground={info.playground} state={flowLog} />} />
        <Route path="/inspector" element={<InspectorPage key={inspect.n} initialToken={inspect.token} />} />
        <Route path="/agent" element={<AgentPage playground={info.playground} state={flowLog} activity={agentActivity} />} />
        <Route path="/scenarios" element={<ScenariosPage state={flowLog} />} />
        <Route path="/scorecard" element={<ScorecardPage />} />
        <Route path="/add-server" element={<AddServerPage playground={info.playground} />} />
        <Route path="*" element={<ErrorState title="No such page" error="Pick a page from the sidebar." />} />
      </Routes>
    </Layout>
  );
}

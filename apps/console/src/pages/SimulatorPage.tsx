import { useMutation } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { idp } from '../api/admin.ts';
import { ApiError, type PlaygroundInfo } from '../api/bff.ts';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { PolicySimulator, type SimulatorInput } from '../components/PolicySimulator/PolicySimulator.tsx';
import { useDirectory } from './ConnectionsPage.tsx';

export function SimulatorPage(_: { playground: PlaygroundInfo }) {
  const dir = useDirectory();
  const [input, setInput] = useState<SimulatorInput>({ user: '', client_id: '', server: '', scopes: [] });
  useEffect(() => {
    if (!input.user && dir.users[0] && dir.apps[0] && dir.servers[0])
      setInput({ user: (dir.users.find((u) => !u.admin) ?? dir.users[0]).id, client_id: dir.apps[0].client_id, server: dir.servers[0].name, scopes: [] });
  }, [dir.users, dir.apps, dir.servers, input.user]);
  const run = useMutation({
    mutationFn: () =>
      idp.simulate({
        user: input.user,
        app: input.client_id,
        server: input.server,
        ...(input.scopes.length ? { scopes: input.scopes } : {}),
        ...(input.dpop ? { dpop: true } : {}),
      }),
  });
  return (
    <>
      <PageHeader
        title="Policy simulator"
        description="Ask the IdP what it would decide for a token exchange — the decision, the trace of every check and the ID-JAG claims it would mint — without minting anything."
      />
      {dir.isPending ? (
        <Loading />
      ) : dir.error ? (
        <ErrorState error={dir.error} onRetry={dir.refetch} />
      ) : (
        <PolicySimulator
          users={dir.users}
          apps={dir.apps}
          servers={dir.servers}
          input={input}
          onChange={(i) => {
            setInput(i);
            run.reset();
          }}
          onRun={() => run.mutate()}
          running={run.isPending}
          result={run.data}
          error={run.error ? (run.error instanceof ApiError ? `${run.error.error}: ${run.error.description}` : String(run.error)) : undefined}
        />
      )}
    </>
  );
}

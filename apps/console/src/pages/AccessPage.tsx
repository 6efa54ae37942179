import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { idp } from '../api/admin.ts';
import type { PlaygroundInfo } from '../api/bff.ts';
import { EffectiveAccess } from '../components/EffectiveAccess/EffectiveAccess.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { useDirectory } from './ConnectionsPage.tsx';

export function AccessPage(_: { playground: PlaygroundInfo }) {
  const dir = useDirectory();
  const [user, setUser] = useState<string>();
  const access = useQuery({ queryKey: ['idp', 'access', user], queryFn: () => idp.access(user as string), enabled: Boolean(user) });
  return (
    <>
      <PageHeader
        title="Effective access"
        description="For one user: every MCP server they can reach today, with which scopes, through which app — and the rule that decides each answer."
      />
      {dir.isPending ? (
        <Loading />
      ) : dir.error ? (
        <ErrorState error={dir.error} onRetry={dir.refetch} />
      ) : access.error ? (
        <ErrorState title="Could not evaluate access" error={access.error} onRetry={() => access.refetch()} />
      ) : (
        <EffectiveAccess users={dir.users} selected={user} onSelect={setUser} entries={access.data} loading={access.isFetching && !access.data} />
      )}
    </>
  );
}

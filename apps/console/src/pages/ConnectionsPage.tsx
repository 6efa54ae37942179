import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { App, Connection, Server } from '@xaa/admin-contracts/idp';
import { useState } from 'react';
import { idp } from '../api/admin.ts';
import { ApiError, type PlaygroundInfo } from '../api/bff.ts';
import { ConnectionEditor } from '../components/ConnectionEditor/ConnectionEditor.tsx';
import { ConnectionMatrix } from '../components/ConnectionMatrix/ConnectionMatrix.tsx';
import { EmptyState } from '../components/EmptyState/EmptyState.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';

export function useDirectory() {
  const users = useQuery({ queryKey: ['idp', 'users'], queryFn: idp.users });
  const groups = useQuery({ queryKey: ['idp', 'groups'], queryFn: idp.groups });
  const apps = useQuery({ queryKey: ['idp', 'apps'], queryFn: idp.apps });
  const servers = useQuery({ queryKey: ['idp', 'servers'], queryFn: idp.servers });
  const all = [users, groups, apps, servers];
  return {
    users: users.data ?? [],
    groups: groups.data ?? [],
    apps: (apps.data ?? []).filter((a) => !a.kind || a.kind === 'app'),
    allApps: apps.data ?? [],
    servers: servers.data ?? [],
    isPending: all.some((q) => q.isPending),
    error: all.find((q) => q.error)?.error,
    refetch: () => {
      for (const q of all) void q.refetch();
    },
  };
}

export function ConnectionsPage(_: { playground: PlaygroundInfo }) {
  const dir = useDirectory();
  const connections = useQuery({ queryKey: ['idp', 'connections'], queryFn: idp.connections });
  const qc = useQueryClient();
  const [open, setOpen] = useState<{ app: App; server: Server; connection: Connection | undefined }>();
  const [toast, setToast] = useState<string>();
  const save = useMutation({
    mutationFn: idp.saveConnection,
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['idp', 'connections'] });
      setToast(`Saved ${open?.app.title} → ${open?.server.title}. The next ID-JAG follows it.`);
      setTimeout(() => setToast(undefined), 4000);
      setOpen(undefined);
    },
  });
  const remove = useMutation({
    mutationFn: idp.deleteConnection,
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['idp', 'connections'] });
      setOpen(undefined);
    },
  });
  const err = save.error ?? remove.error;
  return (
    <>
      <PageHeader
        title="Connections"
        description="Which client app may reach which MCP server, with which scopes, for whom. The IdP mints an ID-JAG only under a connection; each cell opens one for editing."
      />
      <div className="panel">
        {dir.isPending || connections.isPending ? (
          <Loading label="Loading connections…" />
        ) : dir.error || connections.error ? (
          <ErrorState
            title="Could not load the connections"
            error={dir.error ?? connections.error}
            onRetry={() => {
              dir.refetch();
              void connections.refetch();
            }}
          />
        ) : dir.apps.length === 0 ? (
          <EmptyState title="No client apps registered">Register an app at the IdP to connect it to MCP servers.</EmptyState>
        ) : (
          <ConnectionMatrix
            apps={dir.apps}
            servers={dir.servers}
            connections={connections.data ?? []}
            onOpen={(app, server, connection) => {
              save.reset();
              remove.reset();
              setOpen({ app, server, connection });
            }}
          />
        )}
      </div>
      {open ? (
        <ConnectionEditor
          key={`${open.app.client_id}-${open.server.name}`}
          app={open.app}
          server={open.server}
          connection={open.connection}
          groups={dir.groups}
          users={dir.users}
          saving={save.isPending || remove.isPending}
          fieldErrors={err instanceof ApiError ? err.fields : undefined}
          error={err ? (err instanceof ApiError ? `${err.error}: ${err.description}` : String(err)) : undefined}
          onSave={(d) => save.mutate(d)}
          onDelete={open.connection ? () => remove.mutate((open.connection as Connection).id) : undefined}
          onClose={() => setOpen(undefined)}
        />
      ) : null}
      {toast ? (
        <div className="toast" role="status">
          {toast}
        </div>
      ) : null}
    </>
  );
}

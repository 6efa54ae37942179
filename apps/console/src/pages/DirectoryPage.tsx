import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { idp } from '../api/admin.ts';
import type { PlaygroundInfo } from '../api/bff.ts';
import { AppsTable, GroupsTable, ServersTable, UsersTable } from '../components/DirectoryTables/DirectoryTables.tsx';
import { ErrorState } from '../components/ErrorState/ErrorState.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { SamlPanel } from '../components/SamlPanel/SamlPanel.tsx';
import { useDirectory } from './ConnectionsPage.tsx';

export function DirectoryPage({ me }: { playground: PlaygroundInfo; me?: string }) {
  const dir = useDirectory();
  const qc = useQueryClient();
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string }>();
  const keys = useQuery({ queryKey: ['idp', 'keys'], queryFn: idp.keys, retry: 0 });
  const saml = useQuery({ queryKey: ['idp', 'saml'], queryFn: idp.saml, retry: 0 });
  const done = (text: string) => {
    setMessage({ kind: 'ok', text });
    void qc.invalidateQueries({ queryKey: ['idp'] });
  };
  const fail = (e: Error) => setMessage({ kind: 'error', text: e.message });
  const toggle = useMutation({
    mutationFn: (u: { id: string; username: string; disabled: boolean }) => idp.setUserDisabled(u.id, !u.disabled),
    onSuccess: (_r, u) => done(`${u.username} is now ${u.disabled ? 'enabled' : 'disabled'}.`),
    onError: fail,
  });
  const revoke = useMutation({
    mutationFn: (u: { id: string; username: string }) => idp.revokeSessions(u.id),
    onSuccess: (_r, u) => done(`Revoked every session and refresh token of ${u.username}. No new ID-JAG is minted for those sessions.`),
    onError: fail,
  });
  const rotate = useMutation({
    mutationFn: idp.rotateKey,
    onSuccess: (r) =>
      done(`Rotated the IdP signing key${r?.current_kid ? ` (new kid ${r.current_kid})` : ''}. The old key stays in the JWKS until its tokens expire.`),
    onError: fail,
  });
  const saveSaml = useMutation({
    mutationFn: (v: { clientId: string; input: { entity_id: string; acs_urls: string[]; name_id_format: string } }) => idp.putSaml(v.clientId, v.input),
    onSuccess: (_r, v) => done(`Saved the SAML registration of ${v.clientId}.`),
    onError: fail,
  });
  const removeSaml = useMutation({
    mutationFn: (clientId: string) => idp.deleteSaml(clientId),
    onSuccess: (_r, clientId) => done(`Removed the SAML registration of ${clientId}; it signs in with OpenID Connect only.`),
    onError: fail,
  });
  const busy = toggle.isPending ? toggle.variables?.id : revoke.isPending ? revoke.variables?.id : undefined;
  const tab = (to: string, label: string) => (
    <NavLink to={to} className={({ isActive }) => (isActive ? 'active' : '')}>
      {label}
    </NavLink>
  );
  return (
    <>
      <PageHeader
        title="Directory"
        description="The IdP's users, groups, client apps (with their registration at each authorization server) and MCP servers."
        actions={
          <button type="button" onClick={() => rotate.mutate()} disabled={rotate.isPending}>
            {rotate.isPending ? 'Rotating…' : '⟳ Rotate signing key'}
          </button>
        }
      />
      {message ? (
        <div
          className={`callout ${message.kind}`}
          role={message.kind === 'error' ? 'alert' : 'status'}
          style={{ marginBottom: 14 }}
          data-testid="directory-message"
        >
          {message.text}
        </div>
      ) : null}
      <nav className="tabs" aria-label="Directory sections">
        {tab('/directory/users', `Users (${dir.users.length})`)}
        {tab('/directory/groups', `Groups (${dir.groups.length})`)}
        {tab('/directory/apps', `Apps (${dir.allApps.length})`)}
        {tab('/directory/servers', `MCP servers (${dir.servers.length})`)}
        {tab('/directory/keys', 'Signing keys')}
        {tab('/directory/saml', 'SAML')}
      </nav>
      <div className="panel">
        {dir.isPending ? (
          <Loading />
        ) : dir.error ? (
          <ErrorState error={dir.error} onRetry={dir.refetch} />
        ) : (
          <Routes>
            <Route index element={<Navigate to="users" replace />} />
            <Route
              path="users"
              element={<UsersTable users={dir.users} me={me} busy={busy} onToggleDisabled={(u) => toggle.mutate(u)} onRevoke={(u) => revoke.mutate(u)} />}
            />
            <Route path="groups" element={<GroupsTable groups={dir.groups} users={dir.users} />} />
            <Route path="apps" element={<AppsTable apps={dir.allApps} servers={dir.servers} />} />
            <Route path="servers" element={<ServersTable servers={dir.servers} />} />
            <Route
              path="saml"
              element={
                saml.error ? (
                  <ErrorState title="Could not read the IdP's SAML settings" error={saml.error} />
                ) : saml.data ? (
                  <SamlPanel
                    info={saml.data}
                    apps={dir.apps}
                    busy={saveSaml.isPending || removeSaml.isPending}
                    onSave={(clientId, input) => saveSaml.mutate({ clientId, input })}
                    onRemove={(clientId) => removeSaml.mutate(clientId)}
                  />
                ) : (
                  <Loading />
                )
              }
            />
            <Route
              path="keys"
              element={
                keys.error ? (
                  <ErrorState title="Could not list the signing keys" error={keys.error} />
                ) : (
                  <table className="data" aria-label="Signing keys">
                    <thead>
                      <tr>
                        <th scope="col">kid</th>
                        <th scope="col">alg</th>
                        <th scope="col">Status</th>
                        <th scope="col">Created</th>
                      </tr>
                    </thead>
                    <tbody>
                      {(keys.data?.keys ?? []).map((k) => (
                        <tr key={k.kid}>
                          <td className="mono">{k.kid}</td>
                          <td>{k.alg}</td>
                          <td>
                            {k.current ? (
                              <span className="badge ok">signing</span>
                            ) : k.published_until ? (
                              <span className="badge">retired · in JWKS until {new Date(k.published_until * 1000).toISOString().slice(11, 19)}</span>
                            ) : (
                              <span className="badge">published</span>
                            )}
                          </td>
                          <td className="small">{k.created_at ? new Date(k.created_at * 1000).toISOString().replace('T', ' ').slice(0, 19) : ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )
              }
            />
          </Routes>
        )}
      </div>
    </>
  );
}

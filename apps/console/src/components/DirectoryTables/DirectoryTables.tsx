import type { App, Group, Server, User } from '@xaa/admin-contracts/idp';

export function UsersTable({
  users,
  me,
  busy,
  onToggleDisabled,
  onRevoke,
}: {
  users: readonly User[];
  /** The signed-in admin's username: they cannot disable themselves from here. */
  me?: string | undefined;
  busy: string | undefined;
  onToggleDisabled: (u: User) => void;
  onRevoke: (u: User) => void;
}) {
  return (
    <table className="data" aria-label="Users">
      <thead>
        <tr>
          <th scope="col">User</th>
          <th scope="col">Email</th>
          <th scope="col">Groups</th>
          <th scope="col">Status</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {users.map((u) => (
          <tr key={u.id} data-testid={`user-${u.username}`}>
            <td>
              <strong>{u.name}</strong> <span className="mono small muted">{u.username}</span> {u.admin ? <span className="badge brand">admin</span> : null}
            </td>
            <td>{u.email}</td>
            <td>
              <span className="chips">
                {u.groups.map((g) => (
                  <span key={g} className="badge">
                    {g}
                  </span>
                ))}
              </span>
            </td>
            <td>{u.disabled ? <span className="badge error">disabled</span> : <span className="badge ok">active</span>}</td>
            <td>
              <div className="row" style={{ justifyContent: 'flex-end' }}>
                <button type="button" onClick={() => onRevoke(u)} disabled={busy === u.id} aria-label={`Revoke sessions of ${u.username}`}>
                  Revoke sessions
                </button>
                <button
                  type="button"
                  className={u.disabled ? '' : 'danger'}
                  onClick={() => onToggleDisabled(u)}
                  disabled={busy === u.id || (u.username === me && !u.disabled)}
                  title={u.username === me ? 'You are signed in as this user' : undefined}
                  aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}
                >
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function GroupsTable({ groups, users }: { groups: readonly Group[]; users: readonly User[] }) {
  return (
    <table className="data" aria-label="Groups">
      <thead>
        <tr>
          <th scope="col">Group</th>
          <th scope="col">Members</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => {
          const members = g.members ?? users.filter((u) => u.groups.includes(g.name)).map((u) => u.username);
          return (
            <tr key={g.name}>
              <td>
                <strong>{g.title}</strong> <span className="mono small muted">{g.name}</span>
              </td>
              <td>{members.length ? members.join(', ') : <span className="muted">No members</span>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** EMA §7.7: the IdP warns on every token exchange by a public client; the directory says so too. */
export const PUBLIC_CLIENT_BADGE = 'public client — EMA §7.7 requires client authentication at token exchange';

/** An app registered public (no client authentication) that may use token exchange. */
export function isPublicExchanger(a: App): boolean {
  return a.token_endpoint_auth_method === 'none' && a.token_exchange === true;
}

export function AppsTable({ apps, servers }: { apps: readonly App[]; servers: readonly Server[] }) {
  return (
    <table className="data" aria-label="Apps">
      <thead>
        <tr>
          <th scope="col">App</th>
          <th scope="col">At the IdP</th>
          {servers.map((s) => (
            <th key={s.name} scope="col">
              at {s.title} AS
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {apps.map((a) => (
          <tr key={a.client_id}>
            <td>
              <strong>{a.title}</strong> {a.disabled ? <span className="badge error">disabled</span> : null}
              {a.kind && a.kind !== 'app' ? <span className="badge">{a.kind}</span> : null}
              {isPublicExchanger(a) ? (
                <span className="badge denied" data-testid={`public-client-${a.client_id}`}>
                  {PUBLIC_CLIENT_BADGE}
                </span>
              ) : null}
            </td>
            <td className="small">
              <div className="mono">{a.client_id}</div>
              <div className="muted">
                {a.token_endpoint_auth_method ?? ''}
                {a.token_exchange ? ' · token exchange' : ''}
              </div>
            </td>
            {servers.map((s) => (
              <td key={s.name} className="mono small">
                {a.registrations[s.name] ?? <span className="muted">—</span>}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ServersTable({ servers }: { servers: readonly Server[] }) {
  return (
    <table className="data" aria-label="MCP servers">
      <thead>
        <tr>
          <th scope="col">Server</th>
          <th scope="col">AS issuer (ID-JAG aud)</th>
          <th scope="col">Resource</th>
          <th scope="col">Scopes</th>
          <th scope="col">ID-JAG</th>
        </tr>
      </thead>
      <tbody>
        {servers.map((s) => (
          <tr key={s.name}>
            <td>
              <strong>{s.title}</strong> <span className="mono small muted">{s.name}</span>
            </td>
            <td className="mono small">{s.issuer}</td>
            <td className="mono small">{s.resource}</td>
            <td>
              <span className="chips">
                {s.scopes.map((sc) => (
                  <span key={sc} className="chip">
                    {sc}
                  </span>
                ))}
              </span>
            </td>
            <td>{s.xaa ? <span className="badge ok">supported</span> : <span className="badge">classic only</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

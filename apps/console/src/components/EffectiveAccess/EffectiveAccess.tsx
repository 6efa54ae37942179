import type { User } from '@xaa/admin-contracts/idp';
import type { AccessEntry } from '../../api/admin.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';

export interface EffectiveAccessProps {
  users: readonly User[];
  selected: string | undefined;
  onSelect: (userId: string) => void;
  entries: readonly AccessEntry[] | undefined;
  loading: boolean;
}

/** Per user: which servers, which scopes, through which app, and why (the deciding rule and reasons). */
export function EffectiveAccess({ users, selected, onSelect, entries, loading }: EffectiveAccessProps) {
  const user = users.find((u) => u.id === selected);
  const allowed = (entries ?? []).filter((e) => e.effect === 'allow');
  const denied = (entries ?? []).filter((e) => e.effect === 'deny');
  return (
    <div className="stack">
      <div className="panel">
        <label className="field" style={{ maxWidth: 360 }}>
          User
          <select value={selected ?? ''} onChange={(e) => onSelect(e.target.value)} aria-label="User">
            <option value="" disabled>
              Choose a user…
            </option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({u.username}) · {u.groups.join(', ')}
                {u.disabled ? ' · disabled' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>
      {!user ? (
        <div className="panel">
          <EmptyState title="Pick a user">See every MCP server they can reach, with which scopes, through which app, and the rule that decides it.</EmptyState>
        </div>
      ) : loading ? (
        <div className="panel">
          <div className="state" role="status">
            <div className="spinner" aria-hidden="true" />
            Evaluating policy…
          </div>
        </div>
      ) : (
        <>
          {user.disabled ? (
            <div className="callout denied" role="status">
              {user.name} is disabled: the IdP refuses every new token for them.
            </div>
          ) : null}
          <div className="panel">
            <h2>
              Can reach <span className="badge ok">{allowed.length}</span>
            </h2>
            {allowed.length === 0 ? (
              <p className="muted">No app can get an ID-JAG for {user.username} at any server.</p>
            ) : (
              <table className="data" aria-label="Allowed access">
                <thead>
                  <tr>
                    <th scope="col">Server</th>
                    <th scope="col">Through app</th>
                    <th scope="col">Scopes</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {allowed.map((e) => (
                    <tr key={`${e.app}-${e.server}`} data-testid={`access-${e.app}-${e.server}`}>
                      <td>{e.server_title ?? e.server}</td>
                      <td>{e.app_title ?? e.app}</td>
                      <td>
                        <span className="chips">
                          {(e.scopes ?? []).map((s) => (
                            <span key={s} className="chip">
                              {s}
                            </span>
                          ))}
                        </span>
                      </td>
                      <td className="small">
                        <span className="mono">{e.rule}</span>
                        <div className="muted">{e.reasons.join(' · ')}</div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <div className="panel">
            <h2>
              Cannot reach <span className="badge denied">{denied.length}</span>
            </h2>
            <table className="data" aria-label="Denied access">
              <thead>
                <tr>
                  <th scope="col">Server</th>
                  <th scope="col">Through app</th>
                  <th scope="col">Why not</th>
                </tr>
              </thead>
              <tbody>
                {denied.map((e) => (
                  <tr key={`${e.app}-${e.server}`} data-testid={`access-${e.app}-${e.server}`}>
                    <td>{e.server_title ?? e.server}</td>
                    <td>{e.app_title ?? e.app}</td>
                    <td className="small">
                      <span className="mono">{e.rule}</span>
                      <div className="muted">{e.reasons.join(' · ')}</div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

import type { App, Connection, Server } from '@xaa/admin-contracts/idp';

export interface ConnectionMatrixProps {
  apps: readonly App[];
  servers: readonly Server[];
  connections: readonly Connection[];
  onOpen: (app: App, server: Server, connection: Connection | undefined) => void;
}

function audienceLabel(c: Connection): string {
  if (c.audience.kind === 'all') return 'everyone';
  if (c.audience.kind === 'groups') return `groups: ${c.audience.groups.join(', ') || '—'}`;
  return `users: ${c.audience.users.join(', ') || '—'}`;
}

/** Client apps × MCP servers; each cell opens its connection for editing. */
export function ConnectionMatrix({ apps, servers, connections, onOpen }: ConnectionMatrixProps) {
  return (
    <div style={{ overflowX: 'auto' }}>
      <table className="matrix" aria-label="Connections: client apps by MCP servers">
        <thead>
          <tr>
            <th scope="col">App \ Server</th>
            {servers.map((s) => (
              <th key={s.name} scope="col">
                {s.title}
                <div className="muted small mono">{s.scopes.join(' ')}</div>
                {!s.xaa ? <span className="badge">classic OAuth only</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {apps.map((a) => (
            <tr key={a.client_id}>
              <th scope="row">
                {a.title}
                <div className="muted small mono">{a.client_id}</div>
              </th>
              {servers.map((s) => {
                const c = connections.find((x) => x.client_id === a.client_id && x.server === s.name);
                const state = !s.xaa ? 'na' : !c ? 'none' : c.enabled ? 'on' : 'off';
                return (
                  <td key={s.name}>
                    <button
                      type="button"
                      className={`cell ${state}`}
                      disabled={!s.xaa}
                      data-testid={`cell-${a.client_id}-${s.name}`}
                      aria-label={`${a.title} to ${s.title}: ${state === 'none' ? 'no connection' : state === 'na' ? 'not available' : state === 'on' ? 'enabled' : 'disabled'}`}
                      onClick={() => onOpen(a, s, c)}
                    >
                      {state === 'na' ? (
                        <span className="small">No ID-JAG support</span>
                      ) : !c ? (
                        <span className="small">+ Connect</span>
                      ) : (
                        <>
                          <span className={`badge ${c.enabled ? 'ok' : 'denied'}`}>{c.enabled ? 'enabled' : 'disabled'}</span>
                          {c.require_dpop ? (
                            <span className="badge info" title="Token exchanges must carry a DPoP proof (RFC 9449)">
                              DPoP required
                            </span>
                          ) : null}
                          <span className="chips">
                            {c.scopes.map((sc) => (
                              <span key={sc} className="chip">
                                {sc}
                              </span>
                            ))}
                          </span>
                          <span className="small muted">
                            {audienceLabel(c)} · {c.ttl}s
                          </span>
                        </>
                      )}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

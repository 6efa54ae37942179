import type { App, Server, SimulateResult, User } from '@xaa/admin-contracts/idp';
import { JsonView } from '../JsonView/JsonView.tsx';

export interface SimulatorInput {
  user: string;
  client_id: string;
  server: string;
  scopes: string[];
  /** The exchange carries a DPoP proof (RFC 9449): connections that require DPoP admit it, the ID-JAG shows cnf. */
  dpop?: boolean;
}

export interface PolicySimulatorProps {
  users: readonly User[];
  apps: readonly App[];
  servers: readonly Server[];
  input: SimulatorInput;
  onChange: (input: SimulatorInput) => void;
  onRun: () => void;
  running: boolean;
  result: SimulateResult | undefined;
  error: string | undefined;
}

const OUTCOME_ICON = { pass: '✓', fail: '✗', skip: '–', warn: '!' } as const;

/** Pick user, app, server and scopes; see the decision, the trace and the claims, without minting. */
export function PolicySimulator(p: PolicySimulatorProps) {
  const server = p.servers.find((s) => s.name === p.input.server);
  const set = (patch: Partial<SimulatorInput>) => p.onChange({ ...p.input, ...patch });
  const d = p.result?.decision;
  return (
    <div className="grid-2">
      <form
        className="panel stack"
        onSubmit={(e) => {
          e.preventDefault();
          p.onRun();
        }}
      >
        <h2>Request</h2>
        <label className="field">
          User
          <select value={p.input.user} onChange={(e) => set({ user: e.target.value })} name="user">
            {p.users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.username} · {u.groups.join(', ')}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          App (client at the IdP)
          <select value={p.input.client_id} onChange={(e) => set({ client_id: e.target.value })} name="client_id">
            {p.apps.map((a) => (
              <option key={a.client_id} value={a.client_id}>
                {a.title}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          MCP server (audience and resource)
          <select value={p.input.server} onChange={(e) => set({ server: e.target.value, scopes: [] })} name="server">
            {p.servers.map((s) => (
              <option key={s.name} value={s.name}>
                {s.title} · {s.issuer}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Requested scopes</legend>
          <div className="row">
            {(server?.scopes ?? []).map((s) => (
              <label key={s} className="check">
                <input
                  type="checkbox"
                  name={`scope-${s}`}
                  checked={p.input.scopes.includes(s)}
                  onChange={() => set({ scopes: p.input.scopes.includes(s) ? p.input.scopes.filter((x) => x !== s) : [...p.input.scopes, s] })}
                />
                <span className="mono">{s}</span>
              </label>
            ))}
          </div>
          <div className="muted small">None checked = the request omits scope (the IdP grants everything the connection allows).</div>
        </fieldset>
        <label className="check">
          <input type="checkbox" name="dpop" checked={p.input.dpop === true} onChange={(e) => set({ dpop: e.target.checked })} /> The client sends a DPoP proof
          <span className="hint">RFC 9449: a connection that requires DPoP refuses an exchange without one; with one, the ID-JAG is key-bound (cnf.jkt).</span>
        </label>
        <div className="row">
          <button type="submit" className="primary" disabled={p.running}>
            {p.running ? 'Evaluating…' : 'Simulate'}
          </button>
          <span className="muted small">Nothing is minted and nothing is logged as a token decision.</span>
        </div>
      </form>
      <div className="panel stack" aria-live="polite">
        <h2>Decision</h2>
        {p.error ? (
          <div className="callout error" role="alert">
            {p.error}
          </div>
        ) : !d ? (
          <p className="muted">Run a simulation to see the decision.</p>
        ) : (
          <>
            <div className={`callout ${d.effect === 'allow' ? 'ok' : 'denied'}`} data-testid="sim-decision">
              <div style={{ fontSize: '1.3rem', fontWeight: 700 }}>{d.effect === 'allow' ? 'Allow' : 'Deny'}</div>
              <div>
                Rule <span className="mono">{d.rule}</span>
                {d.code ? (
                  <>
                    {' '}
                    · error <span className="mono">{d.code}</span>
                  </>
                ) : null}
              </div>
              {p.result?.error ? <div>{p.result.error.error_description}</div> : null}
              {d.effect === 'allow' ? (
                <div>
                  Granted:{' '}
                  <span className="chips" style={{ display: 'inline-flex' }}>
                    {(d.grantedScopes ?? []).map((s) => (
                      <span key={s} className="chip">
                        {s}
                      </span>
                    ))}
                  </span>
                  {d.narrowed ? <span className="badge denied"> narrowed</span> : null}
                </div>
              ) : null}
            </div>
            <div>
              <h3>Trace</h3>
              <ol className="trace-steps" aria-label="Decision trace">
                {(p.result?.trace ?? []).map((t, i) => (
                  <li key={`${t.check}-${i}`} data-outcome={t.outcome}>
                    <span style={{ color: t.outcome === 'pass' ? 'var(--ok)' : t.outcome === 'fail' ? 'var(--err)' : 'var(--muted)', fontWeight: 700 }}>
                      {OUTCOME_ICON[t.outcome]}
                    </span>
                    <div>
                      <span className="mono small">{t.check}</span>
                      <div>{t.detail}</div>
                    </div>
                  </li>
                ))}
              </ol>
            </div>
            {p.result?.claims ? (
              <div>
                <h3>ID-JAG claims that would be minted</h3>
                <JsonView value={p.result.claims} label="Claims that would be minted" />
              </div>
            ) : null}
          </>
        )}
      </div>
    </div>
  );
}

import type { App, User } from '@xaa/admin-contracts/idp';
import { useEffect, useMemo, useRef, useState } from 'react';
import { argsFrom, type Drafts, draftsFrom, fieldsOf, parseRawArgs } from '../../lib/tool-args.ts';
import { JsonView } from '../JsonView/JsonView.tsx';
import { ToolArgsForm } from '../ToolArgsForm/ToolArgsForm.tsx';

/** A tool as the server listed it (MCP `tools/list`): its arguments' JSON Schema builds the form. */
export interface AgentTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema?: Record<string, unknown>;
}

export interface AgentAction {
  id: string;
  kind: 'login' | 'connect' | 'call' | 'logout';
  label: string;
  outcome: 'ok' | 'denied' | 'error' | 'pending';
  detail?: string;
  traceId?: string;
  result?: unknown;
  /** A page the admin opens to go on (the IdP sign-in page of an interactive login). */
  link?: { href: string; label: string };
}

/** A server the agent can connect to (its status lists them: configured, or added at run time). */
export interface AgentServerOption {
  name: string;
  title: string;
  /** false: a classic OAuth server (no ID-JAG grant), with a consent screen. */
  xaa: boolean;
  /** Learnt at run time ("Add a server"). */
  added?: boolean;
}

export interface AgentPanelProps {
  users: readonly User[];
  apps: readonly App[];
  servers: readonly AgentServerOption[];
  /** Who the agent is signed in as (if anyone), and with which app. */
  session: { user?: string; client_id?: string } | undefined;
  tools: Record<string, readonly AgentTool[]>;
  /** The agent's standing connections (from its status), with access-token expiry. */
  connections?: ReadonlyArray<{ server: string; status: string; scope: string | null; expiresAt: number | null }>;
  actions: readonly AgentAction[];
  busy: boolean;
  /** Apps with a SAML 2.0 registration at the IdP: they may sign in with SAML (then saml2 → refresh token → ID-JAG). */
  samlApps?: readonly string[];
  onLogin: (input: { username: string; client_id: string; mode: 'headless' | 'browser'; password: string; protocol: 'oidc' | 'saml' }) => void;
  onLogout: () => void;
  /** `dpop`: bind the new tokens to the session's key (RFC 9449), like the CLI's `--dpop`. */
  onConnect: (server: string, dpop: boolean) => void;
  onCall: (server: string, tool: string, args: Record<string, unknown>, dpop: boolean) => void;
  onShowTrace: (traceId: string) => void;
}

/** Drive the sample client: sign in as a user with an app (real SSO), connect to servers, call tools. */
export function AgentPanel(p: AgentPanelProps) {
  const [username, setUsername] = useState(p.users.find((u) => !u.admin)?.username ?? '');
  const [clientId, setClientId] = useState(p.apps[0]?.client_id ?? '');
  const [password, setPassword] = useState('demo');
  const [chosenProtocol, setProtocol] = useState<'oidc' | 'saml'>('oidc');
  const samlCapable = (p.samlApps ?? []).includes(clientId);
  const protocol = samlCapable ? chosenProtocol : 'oidc';
  const [server, setServer] = useState(p.servers.find((s) => s.xaa)?.name ?? '');
  const [dpop, setDpop] = useState(false);
  // Start from the agent's current session when it is known (coming back to this page), unless the
  // admin already picked someone else.
  const picked = useRef(false);
  useEffect(() => {
    if (picked.current) return;
    if (p.session?.user) setUsername(p.session.user);
    if (p.session?.client_id) setClientId(p.session.client_id);
  }, [p.session?.user, p.session?.client_id]);
  const tools = p.tools[server] ?? [];
  const [tool, setTool] = useState(() => tools[0]?.name ?? '');
  // The arguments: a form built from the tool's input schema, or raw JSON (always available).
  const [mode, setMode] = useState<'form' | 'json'>('form');
  const [drafts, setDrafts] = useState<Drafts>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [args, setArgs] = useState('{}');
  const [argsError, setArgsError] = useState<string>();
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(t);
  }, []);
  const toolNames = tools.map((t) => t.name).join(' ');
  useEffect(() => {
    // When the server (or its tool list) changes, offer its first tool; otherwise keep what was typed.
    const first = toolNames.split(' ')[0] ?? '';
    setTool((current) => (toolNames && !toolNames.split(' ').includes(current) ? first : current));
  }, [toolNames]);
  const chosenTool = tools.find((t) => t.name === tool);
  const schema = chosenTool?.inputSchema;
  // Keyed by content: the tool list is rebuilt on every status poll.
  const schemaKey = `${tool}\n${JSON.stringify(schema ?? null)}`;
  const fields = useMemo(() => fieldsOf(schema), [schemaKey]);
  // A new tool starts from its schema's defaults.
  useEffect(() => {
    setDrafts(draftsFrom(fields));
    setFieldErrors({});
    setArgs('{}');
    setArgsError(undefined);
  }, [fields]);
  const formMode = mode === 'form' && Boolean(schema);
  const switchMode = () => {
    if (formMode) {
      const r = argsFrom(fields, drafts);
      setArgs(JSON.stringify(r.ok ? r.args : {}, null, 2));
      setArgsError(undefined);
      setMode('json');
      return;
    }
    const r = parseRawArgs(args);
    if (!r.ok) {
      setArgsError(r.errors[''] ?? 'Not valid JSON.');
      return;
    }
    setDrafts(draftsFrom(fields, r.args));
    setFieldErrors({});
    setArgsError(undefined);
    setMode('form');
  };

  return (
    <div className="grid-2">
      <div className="stack">
        <form
          className="panel stack"
          onSubmit={(e) => {
            e.preventDefault();
            p.onLogin({ username, client_id: clientId, mode: 'headless', password, protocol });
          }}
        >
          <h2>1 · Sign in (SSO at the IdP)</h2>
          {p.session?.user ? (
            <div className="callout ok" data-testid="agent-session">
              Signed in as <strong>{p.session.user}</strong> with <strong>{p.session.client_id}</strong>
            </div>
          ) : (
            <div className="callout info">The agent is not signed in.</div>
          )}
          <div className="row">
            <label className="field">
              User
              <select
                value={username}
                onChange={(e) => {
                  picked.current = true;
                  setUsername(e.target.value);
                }}
                name="agent-user"
              >
                {p.users.map((u) => (
                  <option key={u.id} value={u.username}>
                    {u.username}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              Password
              <input type="text" value={password} onChange={(e) => setPassword(e.target.value)} name="agent-password" autoComplete="off" />
            </label>
            <label className="field">
              App
              <select
                value={clientId}
                onChange={(e) => {
                  picked.current = true;
                  setClientId(e.target.value);
                }}
                name="agent-app"
              >
                {p.apps.map((a) => (
                  <option key={a.client_id} value={a.client_id}>
                    {a.title}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              Protocol
              <select value={protocol} onChange={(e) => setProtocol(e.target.value === 'saml' ? 'saml' : 'oidc')} name="agent-protocol">
                <option value="oidc">OpenID Connect</option>
                <option value="saml" disabled={!samlCapable}>
                  SAML 2.0{samlCapable ? '' : ' (no SAML registration)'}
                </option>
              </select>
            </label>
          </div>
          <div className="row">
            <button type="submit" className="primary" disabled={p.busy}>
              Sign in (headless)
            </button>
            <button type="button" disabled={p.busy} onClick={() => p.onLogin({ username, client_id: clientId, mode: 'browser', password, protocol })}>
              Sign in at the IdP page…
            </button>
            {p.session?.user ? (
              <button type="button" className="ghost" onClick={p.onLogout} disabled={p.busy}>
                Sign out
              </button>
            ) : null}
          </div>
          <div className="muted small">
            Headless: the agent fills the IdP login form itself — apps registered at the IdP are first-party, so there is no consent screen. The other button
            gives you the IdP sign-in page to open — in this browser (where you are signed in at the IdP) or in the user's own. SAML 2.0: the agent is the app's
            SAML SP; the IdP posts a signed Assertion to it, which it exchanges for an IdP refresh token, and every ID-JAG is minted from that (saml2 → refresh
            token → ID-JAG).
          </div>
        </form>
        <div className="panel stack">
          <h2>2 · Connect and call tools</h2>
          <div className="row">
            <label className="field">
              Server
              <select value={server} onChange={(e) => setServer(e.target.value)} name="agent-server">
                {p.servers.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.title}
                    {s.xaa ? '' : ' (classic)'}
                    {s.added ? ' (added)' : ''}
                  </option>
                ))}
              </select>
            </label>
            <button type="button" className="primary" disabled={p.busy || !p.session?.user} onClick={() => p.onConnect(server, dpop)}>
              Connect
            </button>
            <label className="check" title="Bind the ID-JAG and the access token to this session's key and send a proof with every request (RFC 9449)">
              <input type="checkbox" name="agent-dpop" checked={dpop} onChange={(e) => setDpop(e.target.checked)} /> DPoP
            </label>
          </div>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              const r = formMode ? argsFrom(fields, drafts) : parseRawArgs(args);
              if (!r.ok) {
                setFieldErrors(formMode ? r.errors : {});
                setArgsError(formMode ? 'Fix the marked arguments.' : r.errors['']);
                return;
              }
              setFieldErrors({});
              setArgsError(undefined);
              if (tool.trim()) p.onCall(server, tool.trim(), r.args, dpop);
            }}
          >
            {tools.length ? (
              <label className="field">
                Tool
                <select value={tool} onChange={(e) => setTool(e.target.value)} name="agent-tool">
                  {tools.map((t) => (
                    <option key={t.name} value={t.name}>
                      {t.title && t.title !== t.name ? `${t.name} — ${t.title}` : t.name}
                    </option>
                  ))}
                </select>
                <span className="hint">{chosenTool?.description ?? `${tools.length} tools listed by ${server}.`}</span>
              </label>
            ) : (
              <label className="field">
                Tool
                <input type="text" value={tool} onChange={(e) => setTool(e.target.value)} name="agent-tool" placeholder="e.g. list_tasks" autoComplete="off" />
                <span className="hint">
                  Not connected to {server} yet: connect to pick from its tools, or type a name — the first call discovers the server and gets a fresh ID-JAG
                  and access token.
                </span>
              </label>
            )}
            <fieldset className="stack tool-args-set">
              <legend>
                Arguments{' '}
                {schema ? (
                  <button type="button" className="ghost small" onClick={switchMode}>
                    {formMode ? 'Edit as JSON' : 'Edit as form'}
                  </button>
                ) : null}
              </legend>
              {formMode ? (
                <ToolArgsForm fields={fields} drafts={drafts} errors={fieldErrors} onChange={setDrafts} />
              ) : (
                <label className="field">
                  <span className="muted small">JSON object{schema ? '' : ' (this tool listed no input schema)'}</span>
                  <textarea
                    rows={3}
                    value={args}
                    onChange={(e) => setArgs(e.target.value)}
                    aria-invalid={Boolean(argsError)}
                    name="agent-args"
                    className="mono"
                  />
                </label>
              )}
              {argsError ? (
                <div className="field-error" role="alert">
                  {argsError}
                </div>
              ) : null}
            </fieldset>
            <div>
              <button type="submit" className="primary" disabled={p.busy || !p.session?.user || !tool.trim()}>
                Call tool
              </button>
            </div>
          </form>
          {p.connections?.length ? (
            <table className="data" aria-label="Agent connections">
              <thead>
                <tr>
                  <th scope="col">Server</th>
                  <th scope="col">Status</th>
                  <th scope="col">Access token</th>
                </tr>
              </thead>
              <tbody>
                {p.connections.map((c) => (
                  <tr key={c.server}>
                    <td>{c.server}</td>
                    <td>
                      <span className={`badge ${c.status === 'connected' ? 'ok' : c.status === 'blocked' ? 'denied' : 'error'}`}>{c.status}</span>
                    </td>
                    <td className="small">{c.expiresAt ? (c.expiresAt > now ? `${c.scope ?? ''} · dies in ${c.expiresAt - now}s` : 'expired') : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      </div>
      <div className="panel">
        <h2>Activity</h2>
        {p.actions.length === 0 ? (
          <p className="muted">What the agent does appears here, each with a link to its trace in Live flows.</p>
        ) : (
          <ol className="trace-steps" aria-label="Agent activity" data-testid="agent-activity">
            {[...p.actions].reverse().map((a) => (
              <li key={a.id} data-outcome={a.outcome} data-kind={a.kind}>
                <span className={`badge ${a.outcome === 'pending' ? 'info' : a.outcome}`} style={{ height: 'fit-content' }}>
                  {a.outcome === 'ok' ? '✓' : a.outcome === 'pending' ? '…' : '✗'}
                </span>
                <div>
                  <div className="row">
                    <strong>{a.label}</strong>
                    <span className="spacer" />
                    {a.traceId ? (
                      <button type="button" className="ghost small" onClick={() => p.onShowTrace(a.traceId as string)}>
                        View trace →
                      </button>
                    ) : null}
                  </div>
                  {a.detail ? <div className={a.outcome === 'ok' ? 'muted small' : 'small'}>{a.detail}</div> : null}
                  {a.link ? (
                    <a
                      className="button primary"
                      href={a.link.href}
                      target="_blank"
                      rel="noopener noreferrer"
                      data-testid="agent-link"
                      style={{ marginTop: 6 }}
                    >
                      {a.link.label} ↗
                    </a>
                  ) : null}
                  {a.result !== undefined ? <JsonView value={a.result} label="Result" /> : null}
                </div>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}

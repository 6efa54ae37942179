import type { Audience } from '@xaa/admin-contracts';
import { type App, type Connection, type Group, ID_JAG_MAX_TTL, type Server, type User } from '@xaa/admin-contracts/idp';
import { useEffect, useId, useRef, useState } from 'react';
import type { ConnectionDraft } from '../../api/admin.ts';

export interface ConnectionEditorProps {
  app: App;
  server: Server;
  connection: Connection | undefined;
  groups: readonly Group[];
  users: readonly User[];
  saving: boolean;
  /** Field errors from the IdP (400 `fields`), shown inline. */
  fieldErrors?: Record<string, string> | undefined;
  error?: string | undefined;
  onSave: (draft: ConnectionDraft) => void;
  onDelete?: (() => void) | undefined;
  onClose: () => void;
}

function validate(d: ConnectionDraft): Record<string, string> {
  const e: Record<string, string> = {};
  if (d.ttl === undefined || !Number.isInteger(d.ttl) || d.ttl < 10 || d.ttl > ID_JAG_MAX_TTL)
    e.ttl = `Between 10 and ${ID_JAG_MAX_TTL} seconds (EMA §7.4.2: ID-JAGs are short-lived).`;
  if (d.audience.kind === 'groups' && d.audience.groups.length === 0) e.audience = 'Pick at least one group, or choose everyone.';
  if (d.audience.kind === 'users' && d.audience.users.length === 0) e.audience = 'Pick at least one user, or choose everyone.';
  return e;
}

/** The IdP's schema messages, said the way an admin would. */
function humanize(fields: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (k === 'scopes' && /expected array to have >=1 items/.test(v)) out[k] = 'Allow at least one scope (or disable the connection).';
    else if (/expected array to have >=1 items/.test(v)) out[k] = 'Choose at least one.';
    else out[k] = v;
  }
  return out;
}

/** Edit one connection in a side drawer (a modal dialog: focus is trapped, Escape closes). */
export function ConnectionEditor(p: ConnectionEditorProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [scopes, setScopes] = useState<string[]>(p.connection?.scopes ?? p.server.scopes.filter((s) => s.endsWith('.read')));
  const [kind, setKind] = useState<Audience['kind']>(p.connection?.audience.kind ?? 'all');
  const [groups, setGroups] = useState<string[]>(p.connection?.audience.kind === 'groups' ? p.connection.audience.groups : []);
  const [users, setUsers] = useState<string[]>(p.connection?.audience.kind === 'users' ? p.connection.audience.users : []);
  const [ttl, setTtl] = useState<string>(String(p.connection?.ttl ?? 300));
  const [enabled, setEnabled] = useState<boolean>(p.connection?.enabled ?? true);
  const [requireDpop, setRequireDpop] = useState<boolean>(p.connection?.require_dpop ?? false);
  const [touched, setTouched] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);

  const audience: Audience = kind === 'all' ? { kind } : kind === 'groups' ? { kind, groups } : { kind, users };
  const draft: ConnectionDraft = {
    ...(p.connection ? { id: p.connection.id } : {}),
    client_id: p.app.client_id,
    server: p.server.name,
    scopes,
    audience,
    ttl: Number(ttl),
    enabled,
    require_dpop: requireDpop,
  };
  const local = touched ? validate(draft) : {};
  const errors = { ...humanize(p.fieldErrors), ...local };
  const toggle = (list: string[], v: string, set: (x: string[]) => void) => set(list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const err = (key: string) =>
    errors[key] ? (
      <div className="field-error" id={`${id}-${key}-err`} role="alert">
        {errors[key]}
      </div>
    ) : null;

  return (
    <dialog ref={dialog} className="drawer" aria-labelledby={`${id}-title`} onClose={p.onClose} onCancel={p.onClose}>
      <form
        className="drawer-body"
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (Object.keys(validate(draft)).length === 0) p.onSave(draft);
        }}
        noValidate
      >
        <div>
          <h2 id={`${id}-title`}>
            {p.app.title} → {p.server.title}
          </h2>
          <p className="muted small" style={{ margin: '4px 0 0' }}>
            The IdP mints an ID-JAG for <span className="mono">{p.app.client_id}</span> to reach <span className="mono">{p.server.resource}</span> only under
            this connection. Client id at the server's AS: <span className="mono">{p.app.registrations[p.server.name] ?? 'not registered'}</span>.
          </p>
        </div>
        {p.error ? (
          <div className="callout error" role="alert">
            {p.error}
          </div>
        ) : null}
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} name="enabled" /> Enabled
        </label>
        <fieldset aria-invalid={Boolean(errors.scopes)} aria-describedby={errors.scopes ? `${id}-scopes-err` : undefined}>
          <legend>Allowed scopes</legend>
          <div className="row">
            {p.server.scopes.map((s) => (
              <label key={s} className="check">
                <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(scopes, s, setScopes)} name={`scope-${s}`} />
                <span className="mono">{s}</span>
              </label>
            ))}
          </div>
          {err('scopes')}
        </fieldset>
        <fieldset aria-describedby={errors.audience ? `${id}-audience-err` : undefined}>
          <legend>Who may use it</legend>
          <div className="row">
            {(['all', 'groups', 'users'] as const).map((k) => (
              <label key={k} className="check">
                <input type="radio" name="audience-kind" value={k} checked={kind === k} onChange={() => setKind(k)} />
                {k === 'all' ? 'Everyone' : k === 'groups' ? 'Groups' : 'Users'}
              </label>
            ))}
          </div>
          {kind === 'groups' ? (
            <div className="row" style={{ marginTop: 8 }}>
              {p.groups.map((g) => (
                <label key={g.name} className="check">
                  <input type="checkbox" checked={groups.includes(g.name)} onChange={() => toggle(groups, g.name, setGroups)} name={`group-${g.name}`} />
                  {g.title}
                </label>
              ))}
            </div>
          ) : null}
          {kind === 'users' ? (
            <div className="row" style={{ marginTop: 8 }}>
              {p.users.map((u) => (
                <label key={u.id} className="check">
                  <input
                    type="checkbox"
                    checked={users.includes(u.id) || users.includes(u.username)}
                    onChange={() => toggle(users, u.id, setUsers)}
                    name={`user-${u.username}`}
                  />
                  {u.username}
                </label>
              ))}
            </div>
          ) : null}
          {err('audience')}
        </fieldset>
        <label className="field">
          ID-JAG lifetime (seconds)
          <span className="hint">How long each minted ID-JAG is valid. EMA §7.4.2: short-lived; 300 s is the common value.</span>
          <input
            type="number"
            name="ttl"
            value={ttl}
            min={10}
            max={3600}
            onChange={(e) => setTtl(e.target.value)}
            onBlur={() => setTouched(true)}
            aria-invalid={Boolean(errors.ttl)}
            aria-describedby={errors.ttl ? `${id}-ttl-err` : undefined}
          />
        </label>
        {err('ttl')}
        <label className="check">
          <input type="checkbox" checked={requireDpop} onChange={(e) => setRequireDpop(e.target.checked)} name="require_dpop" /> Require DPoP
          <span className="hint">
            The client must prove a key with a DPoP proof (RFC 9449) on every token exchange; the ID-JAG is then bound to that key (cnf.jkt) and so is the
            access token the server's AS issues. A request without a proof is refused with invalid_dpop_proof.
          </span>
        </label>
        {Object.entries(errors)
          .filter(([k]) => !['ttl', 'audience', 'scopes'].includes(k))
          .map(([k, v]) => (
            <div key={k} className="field-error" role="alert">
              <span className="mono">{k}</span>: {v}
            </div>
          ))}
        <div className="drawer-foot">
          {p.onDelete ? (
            <button type="button" className="danger" onClick={p.onDelete} disabled={p.saving}>
              Delete connection
            </button>
          ) : null}
          <span className="spacer" />
          <button type="button" onClick={p.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={p.saving}>
            {p.saving ? 'Saving…' : 'Save connection'}
          </button>
        </div>
      </form>
    </dialog>
  );
}

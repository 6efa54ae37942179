import type { AddServerResult, Finding, ServerDiscovery } from '../../api/add-server.ts';

const MARK: Record<Finding['status'], { icon: string; label: string; badge: string }> = {
  ok: { icon: '✓', label: 'found', badge: 'ok' },
  missing: { icon: '✗', label: 'missing', badge: 'error' },
  warn: { icon: '!', label: 'check', badge: 'denied' },
  pending: { icon: '…', label: 'not yet known', badge: 'info' },
};

/** What discovery found and what is missing, each with what to change and where. */
export function Findings({ findings, title }: { findings: readonly Finding[]; title: string }) {
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      <ul className="as-findings">
        {findings.map((f) => (
          <li key={f.id} className={`as-finding as-finding-${f.status}`} data-finding={f.id} data-status={f.status}>
            <span className={`badge ${MARK[f.status].badge}`} title={MARK[f.status].label}>
              {MARK[f.status].icon} {MARK[f.status].label}
            </span>
            <div className="as-finding-body">
              <strong>{f.label}</strong>
              <span className="as-finding-detail">{f.detail}</span>
              {f.fix ? (
                <span className="as-finding-fix">
                  <strong>What to change:</strong> {f.fix}
                </span>
              ) : null}
              <span className="muted small">{f.specRef}</span>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export interface RegisterInput {
  app: string;
  scopes: string[];
  name: string;
  ownClient: boolean;
  clientId: string;
  clientSecret: string;
}

export interface RegisterFormProps {
  discovery: ServerDiscovery;
  apps: ReadonlyArray<{ name: string; title: string }>;
  input: RegisterInput;
  onChange: (input: RegisterInput) => void;
  onRegister: () => void;
  busy: boolean;
  error?: string;
  fields?: Record<string, string>;
}

/** Register the server at the IdP and propose the connection for an app, with the scopes found. */
export function RegisterForm(p: RegisterFormProps) {
  const { input, discovery } = p;
  const set = (patch: Partial<RegisterInput>) => p.onChange({ ...input, ...patch });
  const incomplete = input.scopes.length === 0 || (input.ownClient && (!input.clientId.trim() || !input.clientSecret));
  const err = (k: string) => (p.fields?.[k] ? <span className="field-error">{p.fields[k]}</span> : null);
  return (
    <form
      className="panel"
      aria-label="Register at the IdP"
      onSubmit={(e) => {
        e.preventDefault();
        if (!p.busy && !incomplete) p.onRegister();
      }}
    >
      <h2>2. Register it at the IdP and connect an app</h2>
      <div className="add-server-fields">
        <label className="field">
          App to connect
          <select name="as-app" value={input.app} onChange={(e) => set({ app: e.target.value })}>
            {p.apps.map((a) => (
              <option key={a.name} value={a.name}>
                {a.title} — {a.name}
              </option>
            ))}
          </select>
          {err('app')}
        </label>
        <label className="field">
          Name at the IdP (optional)
          <input type="text" name="as-name" value={input.name} placeholder="from its metadata" onChange={(e) => set({ name: e.target.value })} />
          {err('name')}
        </label>
        <fieldset className="field add-server-scopes">
          <legend>Scopes of the connection</legend>
          {discovery.scopes.length === 0 ? <span className="muted small">The metadata lists no scopes_supported.</span> : null}
          {discovery.scopes.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                name="as-scope"
                value={s}
                checked={input.scopes.includes(s)}
                onChange={(e) => set({ scopes: e.target.checked ? [...input.scopes, s] : input.scopes.filter((x) => x !== s) })}
              />
              <code>{s}</code>
            </label>
          ))}
          {err('scopes')}
        </fieldset>
        <fieldset className="field">
          <legend>The app's client at your authorization server</legend>
          <label className="check">
            <input type="radio" name="as-client-mode" checked={!input.ownClient} onChange={() => set({ ownClient: false })} />
            Propose one (a secret is generated for you to register there)
          </label>
          <label className="check">
            <input type="radio" name="as-client-mode" checked={input.ownClient} onChange={() => set({ ownClient: true })} />I registered one there
          </label>
        </fieldset>
        {input.ownClient ? (
          <>
            <label className="field">
              Client id at your AS
              <input type="text" name="as-client-id" value={input.clientId} autoComplete="off" onChange={(e) => set({ clientId: e.target.value })} />
              {err('clientId')}
            </label>
            <label className="field">
              Client secret at your AS
              <input
                type="password"
                name="as-client-secret"
                value={input.clientSecret}
                autoComplete="off"
                onChange={(e) => set({ clientSecret: e.target.value })}
              />
              {err('clientSecret')}
            </label>
          </>
        ) : null}
      </div>
      <div className="row">
        <button type="submit" className="primary" disabled={p.busy || incomplete}>
          {p.busy ? 'Registering…' : 'Register and connect'}
        </button>
        {p.error ? (
          <span className="field-error" role="alert">
            {p.error}
          </span>
        ) : null}
      </div>
    </form>
  );
}

/** The exact values to configure at their AS, and what the IdP now holds. */
export function ConfigureValues({ added }: { added: AddServerResult }) {
  const c = added.configure;
  return (
    <section className="panel" aria-label="Configure at your authorization server">
      <h2>3. Configure at your authorization server</h2>
      <p className="muted small">
        The IdP now has <strong>{added.server.title}</strong> ({added.server.name}, {added.server.created ? 'registered now' : 'registered before'});{' '}
        {added.app.title} is client <code>{added.app.client_id_at_server}</code> there;{' '}
        {added.connection.proposed_only
          ? 'the connection is proposed, not created'
          : `the connection ${added.connection.created ? 'was created' : 'exists'} with ${added.connection.scopes.join(' ')}`}
        .
      </p>
      <dl className="kv add-server-values">
        <dt>Trusted issuer</dt>
        <dd>
          <code data-value="trusted-issuer">{c.trusted_issuer}</code> <span className="muted small">byte for byte, no trailing slash</span>
        </dd>
        <dt>Its JWKS</dt>
        <dd>
          <code data-value="jwks-uri">{c.jwks_uri}</code> <span className="muted small">refetch on an unknown kid</span>
        </dd>
        <dt>ID-JAGs carry</dt>
        <dd>
          typ <code>{c.id_jag.typ}</code>, aud <code>{c.id_jag.aud}</code>, resource <code>{c.id_jag.resource}</code>, client_id{' '}
          <code>{c.id_jag.client_id}</code>
        </dd>
        <dt>{c.client.secret_generated ? 'Register this client' : 'Your client'}</dt>
        <dd>
          client_id <code data-value="client-id">{c.client.client_id}</code>
          <br />
          client_secret <code data-value="client-secret">{c.client.client_secret}</code>
          <br />
          <span className="muted small">
            {c.client.token_endpoint_auth_method}, grant_type {c.client.grant_types.join(' ')}
            {c.client.secret_generated ? ' — generated now and kept nowhere: register it at your AS, then run the scorecard.' : ''}
          </span>
        </dd>
      </dl>
    </section>
  );
}

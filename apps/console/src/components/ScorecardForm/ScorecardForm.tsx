import type { ScorecardRequest, ScorecardTarget } from '../../api/scenarios.ts';

export interface ScorecardInput {
  /** A playground server name, or `''` for another AS. */
  server: string;
  app: string;
  issuer: string;
  resource: string;
  clientId: string;
  clientSecret: string;
}

export const EMPTY_INPUT: ScorecardInput = { server: '', app: '', issuer: '', resource: '', clientId: '', clientSecret: '' };

/** The request for an input: a playground server's name (the backend fills in its secret), or every field. */
export function requestOf(input: ScorecardInput): ScorecardRequest {
  if (input.server) return { server: input.server, ...(input.app ? { app: input.app } : {}) };
  return { issuer: input.issuer.trim(), resource: input.resource.trim(), clientId: input.clientId.trim(), clientSecret: input.clientSecret };
}

/** Pick a playground server: its issuer, resource and a registration's client id fill the form. */
export function inputForServer(targets: readonly ScorecardTarget[], server: string, app?: string): ScorecardInput {
  const t = targets.find((x) => x.server === server);
  if (!t) return { ...EMPTY_INPUT };
  const reg = t.registrations.find((r) => r.app === app) ?? t.registrations[0];
  return { server: t.server, app: reg?.app ?? '', issuer: t.issuer, resource: t.resource, clientId: reg?.client_id ?? '', clientSecret: '' };
}

export interface ScorecardFormProps {
  targets: readonly ScorecardTarget[];
  idp: string;
  input: ScorecardInput;
  onChange: (input: ScorecardInput) => void;
  onRun: () => void;
  running: boolean;
  error?: string;
  fields?: Record<string, string>;
}

/** What to test: one of the playground's authorization servers, or yours. */
export function ScorecardForm(p: ScorecardFormProps) {
  const { input, targets } = p;
  const target = targets.find((t) => t.server === input.server);
  const own = !!target;
  const set = (patch: Partial<ScorecardInput>) => p.onChange({ ...input, ...patch });
  const missing = !own && (!input.issuer.trim() || !input.resource.trim() || !input.clientId.trim() || !input.clientSecret);
  const err = (k: string) =>
    p.fields?.[k] ? (
      <span className="field-error" id={`sc-${k}-error`}>
        {p.fields[k]}
      </span>
    ) : null;
  return (
    <form
      className="panel scorecard-form"
      aria-label="Scorecard target"
      onSubmit={(e) => {
        e.preventDefault();
        if (!p.running && !missing) p.onRun();
      }}
    >
      <div className="scorecard-fields">
        <label className="field">
          Authorization server
          <select
            name="sc-target"
            value={input.server}
            onChange={(e) => p.onChange(e.target.value ? inputForServer(targets, e.target.value) : { ...EMPTY_INPUT })}
          >
            {targets.map((t) => (
              <option key={t.server} value={t.server}>
                {t.title} — {t.issuer}
                {t.xaa ? '' : ' (classic OAuth only)'}
              </option>
            ))}
            <option value="">Another AS (yours)…</option>
          </select>
        </label>
        {own ? (
          <label className="field">
            Test client (registered there)
            <select name="sc-app" value={input.app} onChange={(e) => p.onChange(inputForServer(targets, input.server, e.target.value))}>
              {target.registrations.map((r) => (
                <option key={r.app} value={r.app}>
                  {r.title} — {r.client_id}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="field">
          Issuer
          <input
            type="text"
            name="sc-issuer"
            value={input.issuer}
            readOnly={own}
            placeholder="https://as.example.com"
            aria-invalid={p.fields?.issuer ? true : undefined}
            onChange={(e) => set({ issuer: e.target.value })}
          />
          {err('issuer')}
        </label>
        <label className="field">
          Resource (RFC 9728)
          <input
            type="text"
            name="sc-resource"
            value={input.resource}
            readOnly={own}
            placeholder="https://mcp.example.com/mcp"
            aria-invalid={p.fields?.resource ? true : undefined}
            onChange={(e) => set({ resource: e.target.value })}
          />
          {err('resource')}
        </label>
        <label className="field">
          Client id
          <input
            type="text"
            name="sc-client-id"
            value={input.clientId}
            readOnly={own}
            aria-invalid={p.fields?.clientId ? true : undefined}
            onChange={(e) => set({ clientId: e.target.value })}
          />
          {err('clientId')}
        </label>
        {own ? (
          <label className="field">
            Client secret
            <input type="text" name="sc-client-secret" value="" readOnly placeholder="filled in by the console (never sent to the browser)" />
          </label>
        ) : (
          <label className="field">
            Client secret
            <input
              type="password"
              name="sc-client-secret"
              value={input.clientSecret}
              autoComplete="off"
              aria-invalid={p.fields?.clientSecret ? true : undefined}
              onChange={(e) => set({ clientSecret: e.target.value })}
            />
            {err('clientSecret')}
          </label>
        )}
      </div>
      <p className="muted small">
        Test ID-JAGs come from the playground IdP ({p.idp}), minted with your admin session; your AS must trust that issuer and its JWKS. About 40 token
        requests are sent to the AS.
      </p>
      <div className="row">
        <button type="submit" className="primary" disabled={p.running || missing}>
          {p.running ? 'Running the scorecard…' : 'Run scorecard'}
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

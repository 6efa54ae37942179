import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { addServerApi, type RegisterRequest } from '../api/add-server.ts';
import { ApiError, type PlaygroundInfo } from '../api/bff.ts';
import { ConfigureValues, Findings, RegisterForm, type RegisterInput } from '../components/AddServer/AddServer.tsx';
import { Loading } from '../components/Loading/Loading.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { ScorecardReport } from '../components/ScorecardReport/ScorecardReport.tsx';
import '../styles/add-server.css';
import '../styles/scorecard.css';

function download(name: string, type: string, content: string) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([content], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(a.href);
}

const message = (e: unknown) => (e instanceof ApiError ? e.description || e.error : e ? String(e) : undefined);

/** Bring your own MCP server: discover → register at the IdP → values for your AS → scorecard. */
export function AddServerPage({ playground }: { playground: PlaygroundInfo }) {
  const [url, setUrl] = useState('');
  const [input, setInput] = useState<RegisterInput>({
    app: playground.clients[0]?.name ?? '',
    scopes: [],
    name: '',
    ownClient: false,
    clientId: '',
    clientSecret: '',
  });
  const discover = useMutation({
    mutationFn: (u: string) => addServerApi.discover(u),
    onSuccess: (r) => setInput((i) => ({ ...i, scopes: r.discovery.scopes })),
  });
  const register = useMutation({ mutationFn: (body: RegisterRequest) => addServerApi.register(body) });
  const score = useMutation({ mutationFn: addServerApi.scorecard });
  const discovery = discover.data?.discovery;
  const added = register.data?.added;
  const registerError = register.error instanceof ApiError ? register.error : undefined;

  const reset = () => {
    register.reset();
    score.reset();
  };

  return (
    <>
      <PageHeader
        title="Add a server"
        description={
          <>
            Bring your own MCP server: the console finds it as an MCP client would (401 → RFC 9728 resource metadata → RFC 8414 metadata of its authorization
            server), registers it at the IdP ({playground.idp.issuer}), connects an app, tells you what to configure at your authorization server, and grades it
            with the AS scorecard. The same as <code>xaa add-server &lt;URL&gt;</code>.
          </>
        }
      />
      <div className="stack">
        <form
          className="panel"
          aria-label="Your MCP server"
          onSubmit={(e) => {
            e.preventDefault();
            if (!url.trim() || discover.isPending) return;
            reset();
            discover.mutate(url.trim());
          }}
        >
          <h2>1. Find your server</h2>
          <div className="add-server-url">
            <label className="field">
              MCP endpoint URL
              <input
                type="text"
                inputMode="url"
                name="as-url"
                value={url}
                placeholder="https://mcp.example.com/mcp"
                aria-invalid={discover.error ? true : undefined}
                onChange={(e) => setUrl(e.target.value)}
              />
            </label>
            <button type="submit" className="primary" disabled={!url.trim() || discover.isPending}>
              {discover.isPending ? 'Discovering…' : 'Discover'}
            </button>
          </div>
          {discover.error ? (
            <p className="field-error" role="alert">
              {message(discover.error)}
            </p>
          ) : null}
        </form>
        {discovery ? (
          <Findings
            title={discovery.ok ? `Found: ${discovery.resourceName ?? discovery.resource} — ready to register` : `Not ready: ${discovery.url}`}
            findings={discovery.findings}
          />
        ) : null}
        {discovery?.ok ? (
          <RegisterForm
            discovery={discovery}
            apps={playground.clients}
            input={input}
            onChange={(i) => {
              setInput(i);
              if (register.error) register.reset();
            }}
            onRegister={() => {
              score.reset();
              register.mutate({
                url: discovery.url,
                ...(input.app ? { app: input.app } : {}),
                ...(input.name.trim() ? { name: input.name.trim() } : {}),
                scopes: input.scopes,
                ...(input.ownClient ? { clientId: input.clientId.trim(), clientSecret: input.clientSecret } : {}),
              });
            }}
            busy={register.isPending}
            {...(register.error ? { error: message(register.error) as string } : {})}
            {...(registerError?.fields ? { fields: registerError.fields } : {})}
          />
        ) : null}
        {added ? <ConfigureValues added={added} /> : null}
        {added?.agent ? (
          added.agent.ok ? (
            <div className="callout ok" data-testid="agent-knows">
              The sample agent knows <strong>{added.server.title}</strong> now: sign in on the <Link to="/agent">Agent</Link> page and connect to it.
            </div>
          ) : (
            <div className="callout error" data-testid="agent-knows" role="alert">
              The sample agent did not take it: {added.agent.error_description}
            </div>
          )
        ) : null}
        {added ? (
          <section className="panel" aria-label="AS scorecard">
            <h2>4. Grade your authorization server</h2>
            <p className="muted small">
              About 40 ID-JAGs from the playground IdP — real ones and broken ones — go to {added.server.issuer} with client{' '}
              <code>{added.configure.client.client_id}</code>. The valid one shows whether your AS trusts the IdP.
              {added.configure.client.secret_generated ? ' Register the client above at your AS first.' : ''}
            </p>
            <div className="row">
              <button
                type="button"
                className="primary"
                disabled={score.isPending}
                onClick={() =>
                  score.mutate({ url: added.server.resource, clientId: added.configure.client.client_id, clientSecret: added.configure.client.client_secret })
                }
              >
                {score.isPending ? 'Running the scorecard…' : 'Run the AS scorecard'}
              </button>
              {score.error ? (
                <span className="field-error" role="alert">
                  {message(score.error)}
                </span>
              ) : null}
            </div>
          </section>
        ) : null}
        {score.isPending ? <Loading label="Presenting about 40 ID-JAGs to your authorization server…" /> : null}
        {score.data && !score.isPending ? (
          <>
            <Findings title="Trust" findings={[score.data.trust]} />
            {score.data.trust.status === 'ok' && added ? (
              <p className="muted small">
                From the command line, <code>npx xaa add-server {added.server.resource} --client-id … --client-secret …</code> does the same and adds it to{' '}
                <code>playground.json</code>, so the CLI agent reaches it too: <code>npx xaa connect {added.server.name}</code>.
              </p>
            ) : null}
            <ScorecardReport
              report={score.data.report}
              onDownload={(format) => {
                const stem = `xaa-as-scorecard-${added?.server.name ?? 'server'}`;
                if (format === 'junit') download(`${stem}.xml`, 'application/xml', score.data.junit);
                else download(`${stem}.json`, 'application/json', `${JSON.stringify(score.data.report, null, 2)}\n`);
              }}
            />
          </>
        ) : null}
      </div>
    </>
  );
}

/**
 * Bringing your own MCP server, steps 2–4, at the playground IdP's admin API: register the server
 * (its AS issuer and resource: the pair an ID-JAG's `aud` and `resource` name, EMA §7.6.1), map an
 * app to the client id it has at *your* AS (draft-04 §5: the ID-JAG's `client_id`), propose the
 * connection with the scopes found, and say exactly what to configure at your AS. Then the AS
 * scorecard grades it; its valid-ID-JAG case is what shows whether your AS trusts the IdP's keys.
 *
 * Bringing your own MCP client: register it at the IdP (redirect URI, secret) and list the values it
 * needs for SSO and token exchange.
 */
import { randomBytes } from 'node:crypto';
import { GRANT_TYPE_JWT_BEARER, TYP_ID_JAG } from '@xaa/protocol';
import { runAsScorecard } from '../as/run.ts';
import { ScorecardError } from '../http.ts';
import type { IdpAdmin } from '../idp.ts';
import type { CaseResult, ScorecardReport } from '../report/types.ts';
import type { Finding, ServerDiscovery } from './discover.ts';

/** An expected failure of onboarding: what went wrong and what to change, and where. */
export class OnboardError extends ScorecardError {
  constructor(
    message: string,
    code: string,
    readonly fix: string,
  ) {
    super(message, code);
    this.name = 'OnboardError';
  }
}

export type ConnectionAudience = { kind: 'all' } | { kind: 'groups'; groups: string[] };

export interface AddServerOptions {
  discovery: ServerDiscovery;
  idp: IdpAdmin;
  /** Name at the IdP (slug). Default: from the resource's `resource_name`, else its host and port. */
  name?: string;
  title?: string;
  /** The app (client id at the IdP) to connect. Default `acme-agent`. */
  app?: string;
  /** Default: the scopes discovered. */
  scopes?: string[];
  audience?: ConnectionAudience;
  /** The app's registration at your AS, if you already made one there; else one is proposed. */
  clientId?: string;
  clientSecret?: string;
  /** Create the connection (default true); false only proposes it. */
  connect?: boolean;
}

export interface ConfigureAtYourAs {
  /** Trust: the IdP's issuer, compared byte for byte (no trailing slash). */
  trusted_issuer: string;
  jwks_uri: string;
  /** What every ID-JAG for your AS will carry. */
  id_jag: { typ: string; aud: string; resource: string; client_id: string; scopes: string[] };
  /** The client to register at your AS (confidential, jwt-bearer grant allowed). */
  client: { client_id: string; client_secret: string; secret_generated: boolean; token_endpoint_auth_method: string; grant_types: string[] };
}

export interface AddServerResult {
  server: { name: string; title: string; issuer: string; resource: string; scopes: string[]; created: boolean };
  app: { client_id: string; title: string; client_id_at_server: string };
  connection: { scopes: string[]; audience: ConnectionAudience; enabled: boolean; created: boolean; proposed_only: boolean };
  configure: ConfigureAtYourAs;
}

export const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 48);
}

/** The default name at the IdP: the resource's own name, else `host-port`. */
export function defaultServerName(d: ServerDiscovery): string {
  const fromName = d.resourceName ? slugify(d.resourceName) : '';
  if (fromName) return fromName;
  const u = new URL(d.resource ?? d.url);
  return slugify(`${u.hostname}${u.port ? `-${u.port}` : ''}`) || 'server';
}

export interface ServerRecord {
  name: string;
  title: string;
  issuer: string;
  resource: string;
  scopes: string[];
}
interface AppRecord {
  client_id: string;
  title: string;
  kind?: string;
  registrations: Record<string, string>;
}
interface ConnectionRecord {
  client_id: string;
  server: string;
  scopes: string[];
  audience: ConnectionAudience;
  enabled: boolean;
}

export function problem(status: number, json: unknown): string {
  const j = json as { error?: string; error_description?: string } | undefined;
  return `${status} ${j?.error ?? ''}${j?.error_description ? `: ${j.error_description}` : ''}`.trim();
}

export async function addServer(o: AddServerOptions): Promise<AddServerResult> {
  const d = o.discovery;
  if (!d.ok || !d.issuer || !d.resource) {
    const missing = d.findings.filter((f) => f.status === 'missing');
    throw new OnboardError(
      `${d.url} cannot be registered yet: ${missing.map((f) => f.label).join(', ')} missing.`,
      'ERR_NOT_READY',
      missing.map((f) => f.fix).join(' ') || 'See the findings above.',
    );
  }
  const idp = o.idp;
  const scopes = o.scopes ?? d.scopes;
  if (scopes.length === 0)
    throw new OnboardError(
      'No scopes: the metadata lists none and none were given.',
      'ERR_NO_SCOPES',
      'Pass the scopes the connection may grant (--scope "a b"), or list scopes_supported in the protected resource metadata.',
    );
  if (o.name !== undefined && !SLUG.test(o.name))
    throw new OnboardError(
      `The name ${JSON.stringify(o.name)} is not usable at the IdP.`,
      'ERR_BAD_NAME',
      'Use lowercase letters, digits, dot, dash or underscore (at most 64).',
    );

  // The app first: nothing is written if it does not exist.
  const appId = o.app ?? 'acme-agent';
  const appAnswer = await idp.adminRequest('GET', `/apps/${encodeURIComponent(appId)}`);
  if (appAnswer.status === 404) {
    const list = (await idp.adminRequest('GET', '/apps')).json as { apps?: AppRecord[] } | undefined;
    const known = (list?.apps ?? []).filter((a) => a.kind === undefined || a.kind === 'app').map((a) => a.client_id);
    throw new OnboardError(
      `There is no app ${appId} at the IdP.`,
      'ERR_UNKNOWN_APP',
      `Pick one of ${known.join(', ')} (--app), or register yours first (xaa add-client).`,
    );
  }
  if (appAnswer.status !== 200)
    throw new OnboardError(`The IdP answered ${problem(appAnswer.status, appAnswer.json)} for app ${appId}.`, 'ERR_IDP', 'Check the IdP.');
  const app = appAnswer.json as AppRecord;

  // The server: reuse a registration of the same (issuer, resource); never silently repoint one.
  const servers = ((await idp.adminRequest('GET', '/servers')).json as { servers?: ServerRecord[] } | undefined)?.servers ?? [];
  let server = servers.find((s) => s.issuer === d.issuer);
  let created = false;
  if (server && server.resource !== d.resource)
    throw new OnboardError(
      `The IdP already pairs the AS ${d.issuer} with the resource ${server.resource} (server "${server.name}"), not ${d.resource}.`,
      'ERR_ISSUER_TAKEN',
      `One AS issuer serves one resource here: edit or delete "${server.name}" in the console (Directory → MCP servers) first.`,
    );
  if (server && o.name && server.name !== o.name)
    throw new OnboardError(
      `The AS ${d.issuer} is registered already, as "${server.name}".`,
      'ERR_ISSUER_TAKEN',
      `Leave out --name (or pass --name ${server.name}) to reuse it.`,
    );
  if (!server) {
    let name = o.name ?? defaultServerName(d);
    if (servers.some((s) => s.name === name)) {
      if (o.name) throw new OnboardError(`A server named ${name} exists already, with another issuer.`, 'ERR_NAME_TAKEN', 'Choose another --name.');
      let n = 2;
      while (servers.some((s) => s.name === `${name}-${n}`)) n++;
      name = `${name}-${n}`;
    }
    const title = (o.title ?? d.resourceName ?? new URL(d.resource).host).slice(0, 200);
    const r = await idp.adminRequest('POST', '/servers', { name, title, issuer: d.issuer, resource: d.resource, scopes, xaa: true });
    if (r.status !== 201)
      throw new OnboardError(
        `The IdP refused the server: ${problem(r.status, r.json)}.`,
        'ERR_IDP_REFUSED',
        'Fix the value the IdP names, then run this again.',
      );
    server = r.json as ServerRecord;
    created = true;
  }

  // The app's client id at your AS: given, already mapped, or proposed.
  const clientId = o.clientId ?? app.registrations[server.name] ?? `${appId}-at-${server.name}`;
  if (app.registrations[server.name] !== clientId) {
    const r = await idp.adminRequest('PUT', `/apps/${encodeURIComponent(appId)}/registrations/${encodeURIComponent(server.name)}`, { client_id: clientId });
    if (r.status !== 200)
      throw new OnboardError(`The IdP refused the client id mapping: ${problem(r.status, r.json)}.`, 'ERR_IDP_REFUSED', 'Check the client id (--client-id).');
  }
  const secretGenerated = o.clientSecret === undefined;
  const clientSecret = o.clientSecret ?? randomBytes(24).toString('base64url');

  // The connection: proposed with the scopes found; an existing one is left as the admin set it.
  const audience = o.audience ?? { kind: 'all' };
  const existing = (
    (
      (await idp.adminRequest('GET', `/connections?client_id=${encodeURIComponent(appId)}&server=${encodeURIComponent(server.name)}`)).json as
        | { connections?: ConnectionRecord[] }
        | undefined
    )?.connections ?? []
  ).find((c) => c.client_id === appId && c.server === server.name);
  let connection: AddServerResult['connection'];
  if (existing) connection = { scopes: existing.scopes, audience: existing.audience, enabled: existing.enabled, created: false, proposed_only: false };
  else if (o.connect === false) connection = { scopes, audience, enabled: false, created: false, proposed_only: true };
  else {
    const r = await idp.adminRequest('POST', '/connections', { client_id: appId, server: server.name, scopes, audience, enabled: true });
    if (r.status !== 201)
      throw new OnboardError(`The IdP refused the connection: ${problem(r.status, r.json)}.`, 'ERR_IDP_REFUSED', 'Fix the scopes or audience it names.');
    connection = { scopes, audience, enabled: true, created: true, proposed_only: false };
  }

  return {
    server: { name: server.name, title: server.title, issuer: server.issuer, resource: server.resource, scopes: server.scopes, created },
    app: { client_id: appId, title: app.title, client_id_at_server: clientId },
    connection,
    configure: await configureValues(idp, {
      issuer: server.issuer,
      resource: server.resource,
      scopes: connection.scopes,
      clientId,
      clientSecret,
      secretGenerated,
      ...(d.authMethods ? { authMethods: d.authMethods } : {}),
    }),
  };
}

/**
 * What the sample agent needs to connect to a server just added, as the body of its
 * `PUT /admin/agent/servers/{name}` (`serverPut` in @xaa/admin-contracts/agent): the resource, the AS
 * issuer, and the app's registration at that AS (draft-04 §5 registration 2).
 */
export function agentServerBody(a: AddServerResult): {
  title: string;
  resource: string;
  issuer: string;
  scopes: string[];
  registrations: Record<string, { client_id: string; client_secret: string }>;
} {
  return {
    title: a.server.title,
    resource: a.server.resource,
    issuer: a.server.issuer,
    scopes: a.connection.scopes,
    registrations: { [a.app.client_id]: { client_id: a.configure.client.client_id, client_secret: a.configure.client.client_secret } },
  };
}

/** What to configure at your AS for one server and one client registration there. */
export async function configureValues(
  idp: IdpAdmin,
  v: { issuer: string; resource: string; scopes: string[]; clientId: string; clientSecret: string; secretGenerated: boolean; authMethods?: string[] },
): Promise<ConfigureAtYourAs> {
  const md = await idp.metadata();
  return {
    trusted_issuer: idp.issuer,
    jwks_uri: typeof md.jwks_uri === 'string' ? md.jwks_uri : `${idp.issuer}/jwks`,
    id_jag: { typ: TYP_ID_JAG, aud: v.issuer, resource: v.resource, client_id: v.clientId, scopes: v.scopes },
    client: {
      client_id: v.clientId,
      client_secret: v.clientSecret,
      secret_generated: v.secretGenerated,
      token_endpoint_auth_method: v.authMethods?.includes('client_secret_basic') === false ? 'client_secret_post' : 'client_secret_basic',
      grant_types: [GRANT_TYPE_JWT_BEARER],
    },
  };
}

/** Runs the AS scorecard against a server just added, with the app's registration there. */
export function scoreAddedServer(
  configure: ConfigureAtYourAs,
  idp: IdpAdmin,
  extra: { fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<ScorecardReport> {
  return runAsScorecard({
    issuer: configure.id_jag.aud,
    resource: configure.id_jag.resource,
    clientId: configure.client.client_id,
    clientSecret: configure.client.client_secret,
    authMethod: configure.client.token_endpoint_auth_method === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic',
    ...(configure.id_jag.scopes.length ? { scopes: configure.id_jag.scopes } : {}),
    idp,
    ...extra,
  });
}

/** What the scorecard's valid-ID-JAG case says about trust and the client registration at your AS. */
export function trustFinding(report: ScorecardReport, c: ConfigureAtYourAs): Finding {
  const baseline: CaseResult | undefined = report.cases.find((c) => c.group === 'baseline') ?? report.cases.find((c) => c.id === 'metadata.discovery');
  const base = { id: 'as.trust', label: "trusts the playground IdP's keys", specRef: 'draft-04 §4.4, RFC 7523 §3' };
  if (baseline?.outcome === 'pass') return { ...base, status: 'ok', detail: `a real ID-JAG from ${c.trusted_issuer} was redeemed for an access token` };
  const answer = baseline?.answers?.[0];
  const code = answer?.error;
  const said = baseline ? baseline.answered : 'the scorecard did not run';
  if (code === 'invalid_client' || answer?.status === 401)
    return {
      ...base,
      status: 'missing',
      detail: `your AS refused the client: ${said}`,
      fix: `At your AS: register the client ${c.client.client_id} with the secret shown (${c.client.token_endpoint_auth_method}, grant ${GRANT_TYPE_JWT_BEARER}), or rerun with the id and secret you registered (--client-id, --client-secret).`,
    };
  if (code === 'unauthorized_client')
    return {
      ...base,
      status: 'missing',
      detail: `your AS does not let the client use the grant: ${said}`,
      fix: `At your AS: allow ${GRANT_TYPE_JWT_BEARER} for the client ${c.client.client_id} (a confidential client).`,
    };
  return {
    ...base,
    status: 'missing',
    detail: `your AS refused a valid ID-JAG: ${said}`,
    fix: `At your AS: trust the issuer ${c.trusted_issuer} (byte for byte) with the keys at ${c.jwks_uri}; accept typ ${c.id_jag.typ}, aud ${c.id_jag.aud}, client_id ${c.id_jag.client_id}, resource ${c.id_jag.resource}.`,
  };
}

/**
 * `xaa add-server <MCP URL>` and `xaa add-client`: bring your own MCP server or client in one step.
 * The work is in `@xaa/scorecard` (discovery, IdP registration, the scorecard); this module parses
 * options, talks to the IdP as the ops client from playground.json, and prints.
 * Exit codes: 0 done (and, for add-server, every scorecard case passed), 1 something to change
 * (the output says what and where), 2 usage.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCliArgs } from '@xaa/node-kit';
import type { AddServerResult, Finding, IdpAdmin as IdpAdminType, ScorecardReport, ServerDiscovery } from '@xaa/scorecard';
import { bold, CliError, dim, EXIT, green, red, UsageError, yellow } from '../output.ts';

export const ADD_SERVER_HELP = `xaa add-server <MCP URL> — register your MCP server and its AS with the playground

  Discovers the server (401 → RFC 9728 metadata → RFC 8414 metadata of its AS), registers it at the
  IdP, maps an app to its client id at your AS, creates the connection with the scopes found, prints
  what to configure at your AS, then runs the AS scorecard against it.

  --app acme-agent         the app to connect (client id at the IdP)
  --name <slug>            the server's name at the IdP (default: from its metadata or host-port)
  --title "<title>"        its display title
  --scope "a b"            scopes of the connection (default: the metadata's scopes_supported)
  --groups a,b             who may use the connection (default: everyone)
  --client-id <id>         the app's client id at your AS, if you registered one (default: proposed)
  --client-secret <secret> its secret at your AS (default: one is generated for you to register)
  --no-connect             propose the connection without creating it
  --no-scorecard           stop after registering
  --discover-only          only discover: register nothing
  --json                   one JSON document: discovery, registration, values, scorecard
  --data-dir <dir>         where playground.json is (default $XAA_DATA_DIR or .data)`;

export const ADD_CLIENT_HELP = `xaa add-client — register your MCP client (agent) at the playground IdP

  --title "<title>"        its display title (required)
  --redirect-uri <url>     its SSO redirect URI (repeatable; http(s), loopback or https)
  --client-id <slug>       the client id (default: generated)
  --public                 a public client (PKCE, no secret)
  --json                   the registration and the values as JSON
  --data-dir <dir>         where playground.json is (default $XAA_DATA_DIR or .data)`;

interface Manifest {
  idp: { issuer: string; admin?: string };
  ops: { client_id: string; client_secret: string };
}

function manifest(dataDir: string): Manifest {
  const file = join(dataDir, 'playground.json');
  if (!existsSync(file)) throw new CliError(`No ${file}: start the playground first (npm start), or pass --data-dir.`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    throw new CliError(`${file} is not valid JSON (${(e as Error).message}): restart the playground to rewrite it.`);
  }
}

async function idpFor(dataDir: string): Promise<IdpAdminType> {
  const m = manifest(dataDir);
  const { IdpAdmin } = await import('@xaa/scorecard');
  const idp = new IdpAdmin({ issuer: m.idp.issuer, ...(m.idp.admin ? { admin: m.idp.admin } : {}), ops: m.ops });
  try {
    await idp.adminToken();
  } catch (e) {
    throw new CliError(`The playground IdP at ${m.idp.issuer} is not usable: ${(e as Error).message}\nIs the playground running (npm start)?`);
  }
  return idp;
}

/**
 * The server and the app's registration there go into playground.json too, so the sample agent
 * (`xaa connect <name>`) and scripts find them like the seeded ones. Marked `"added": true`; a
 * restart rewrites the manifest from the seed, and running add-server again puts them back (the
 * IdP keeps the registration either way, and the agent keeps what `tellAgent` gave it in client.db).
 */
export function recordInManifest(dataDir: string, a: AddServerResult): void {
  const file = join(dataDir, 'playground.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as {
    servers?: Array<Record<string, unknown>>;
    clients?: Array<{ name: string; idp?: { client_id?: string }; servers?: Record<string, { client_id: string; client_secret: string }> }>;
  };
  const entry = {
    name: a.server.name,
    title: a.server.title,
    issuer: a.server.issuer,
    resource: a.server.resource,
    scopes: a.server.scopes,
    xaa: true,
    added: true,
  };
  m.servers = [...(m.servers ?? []).filter((s) => s.name !== a.server.name), entry];
  const app = m.clients?.find((c) => c.name === a.app.client_id || c.idp?.client_id === a.app.client_id);
  if (app) app.servers = { ...app.servers, [a.server.name]: { client_id: a.configure.client.client_id, client_secret: a.configure.client.client_secret } };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(m, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  chmodSync(file, 0o600);
}

/**
 * The running sample agent learns the server too (`PUT /admin/agent/servers/{name}` with an ops
 * token for its admin API), so the console's Agent page connects to it without a restart; kept in its
 * client.db, it survives one. Best effort: the IdP registration stands either way.
 */
async function tellAgent(dataDir: string, idp: IdpAdminType, a: AddServerResult): Promise<{ ok: true } | { ok: false; error_description: string }> {
  const m = manifest(dataDir) as Manifest & { agent?: { url?: string } };
  const agentUrl = m.agent?.url;
  if (!agentUrl) return { ok: false, error_description: 'playground.json names no agent.' };
  const { agentServerBody } = await import('@xaa/scorecard');
  try {
    await idp.callAdmin(`${agentUrl}/admin`, 'PUT', `/agent/servers/${encodeURIComponent(a.server.name)}`, agentServerBody(a));
    return { ok: true };
  } catch (e) {
    return { ok: false, error_description: `${(e as Error).message} (is the playground running?)` };
  }
}

const MARK: Record<Finding['status'], string> = { ok: green('✓'), missing: red('✗'), warn: yellow('!'), pending: dim('…') };

function printFindings(d: ServerDiscovery, out: (s: string) => void) {
  out(`${bold('Discovery')}  ${d.url}\n`);
  for (const f of d.findings) {
    out(`  ${MARK[f.status]} ${f.label.padEnd(40)} ${f.detail}\n`);
    if (f.fix) out(`      ${yellow('fix:')} ${f.fix}\n      ${dim(f.specRef)}\n`);
  }
}

function printAdded(a: AddServerResult, out: (s: string) => void) {
  const c = a.configure;
  out(`\n${bold('At the playground IdP')}\n`);
  out(
    `  ${green('✓')} server ${a.server.name} ${a.server.created ? 'registered' : 'already registered'}: AS ${a.server.issuer}, resource ${a.server.resource}\n`,
  );
  out(`  ${green('✓')} ${a.app.title} (${a.app.client_id}) is client ${a.app.client_id_at_server} at that AS (the ID-JAG's client_id)\n`);
  out(
    a.connection.proposed_only
      ? `  ${yellow('…')} connection proposed, not created: ${a.app.client_id} → ${a.server.name}, scopes ${a.connection.scopes.join(' ')} (create it in the console → Connections)\n`
      : `  ${green('✓')} connection ${a.connection.created ? 'created' : 'exists'}: ${a.app.client_id} → ${a.server.name}, scopes ${a.connection.scopes.join(' ')}, ${a.connection.audience.kind === 'all' ? 'everyone' : `groups ${(a.connection.audience as { groups: string[] }).groups.join(', ')}`}\n`,
  );
  out(`\n${bold('Configure at your authorization server')} (${a.server.issuer})\n`);
  out(`  trusted issuer        ${c.trusted_issuer}   ${dim('byte for byte, no trailing slash')}\n`);
  out(`  its JWKS              ${c.jwks_uri}   ${dim('refetch on an unknown kid')}\n`);
  out(`  ID-JAGs carry         typ ${c.id_jag.typ}, aud ${c.id_jag.aud}, resource ${c.id_jag.resource}, client_id ${c.id_jag.client_id}\n`);
  out(`  ${c.client.secret_generated ? 'register the client  ' : 'the client (yours)   '} client_id ${c.client.client_id}\n`);
  out(
    `                        client_secret ${c.client.client_secret}${c.client.secret_generated ? dim('   (generated now: register it, or rerun with --client-secret <yours>)') : ''}\n`,
  );
  out(`                        ${c.client.token_endpoint_auth_method}, grant_type ${c.client.grant_types.join(' ')}\n`);
}

function printScorecard(report: ScorecardReport, trust: Finding, out: (s: string) => void) {
  const s = report.summary;
  out(
    `\n${bold('AS scorecard')}  ${report.ok ? green('PASSED') : red('FAILED')}  score ${s.score}% · ${s.passed} passed, ${s.failed} failed, ${s.warnings} warnings\n`,
  );
  out(`  ${MARK[trust.status]} ${trust.label}: ${trust.detail}\n`);
  if (trust.fix) out(`      ${yellow('fix:')} ${trust.fix}\n`);
  // Without a redeemable valid ID-JAG every attack case fails the same way: say it once.
  if (trust.status === 'ok')
    for (const c of report.cases.filter((x) => x.outcome === 'fail' || x.outcome === 'error'))
      out(`  ${red('✗')} ${c.id}  ${c.reason ?? c.answered}  ${dim(c.specRef)}\n`);
  else out(`  ${dim('the attack cases need the valid ID-JAG redeemed first; fix the above and run this again')}\n`);
  out(`  ${dim(`every case: xaa test-as --issuer ${report.target.issuer} --resource ${report.target.resource} --client-id … --client-secret …`)}\n`);
}

export async function addServerCommand(argv: string[], ctx: { dataDir: string }): Promise<number> {
  const { values, positionals } = parseCliArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      app: { type: 'string' },
      name: { type: 'string' },
      title: { type: 'string' },
      scope: { type: 'string' },
      groups: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'no-connect': { type: 'boolean', default: false },
      'no-scorecard': { type: 'boolean', default: false },
      'discover-only': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const out = (s: string) => process.stdout.write(s);
  if (values.help) {
    out(`${ADD_SERVER_HELP}\n`);
    return EXIT.ok;
  }
  const url = positionals[0];
  if (!url || positionals.length > 1) throw new UsageError('add-server takes one MCP URL, e.g. xaa add-server http://localhost:5101/mcp');
  const dataDir = resolve(values['data-dir'] ?? ctx.dataDir);
  const json = values.json;
  const { discoverMcpServer, BadServerUrl, addServer, OnboardError, scoreAddedServer, trustFinding } = await import('@xaa/scorecard');
  const idp = values['discover-only'] ? undefined : await idpFor(dataDir);

  let discovery: ServerDiscovery;
  try {
    discovery = await discoverMcpServer(url, { timeoutMs: 10_000 });
  } catch (e) {
    if (e instanceof BadServerUrl) throw new UsageError(e.message);
    throw e;
  }
  if (!json) printFindings(discovery, out);
  if (!discovery.ok || values['discover-only']) {
    if (json) out(`${JSON.stringify({ ok: discovery.ok, discovery }, null, 2)}\n`);
    else if (!discovery.ok) process.stderr.write(`${red('error:')} ${url} cannot be registered until the ✗ above are fixed.\n`);
    return discovery.ok ? EXIT.ok : EXIT.error;
  }

  let added: AddServerResult;
  try {
    added = await addServer({
      discovery,
      idp: idp as IdpAdminType,
      ...(values.app ? { app: values.app } : {}),
      ...(values.name ? { name: values.name } : {}),
      ...(values.title ? { title: values.title } : {}),
      ...(values.scope ? { scopes: values.scope.split(' ').filter(Boolean) } : {}),
      ...(values.groups ? { audience: { kind: 'groups', groups: values.groups.split(',').map((g) => g.trim()) } } : {}),
      ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
      ...(values['client-secret'] ? { clientSecret: values['client-secret'] } : {}),
      ...(values['no-connect'] ? { connect: false } : {}),
    });
  } catch (e) {
    if (e instanceof OnboardError) {
      if (json) out(`${JSON.stringify({ ok: false, discovery, error: { code: e.code, message: e.message, fix: e.fix } }, null, 2)}\n`);
      else process.stderr.write(`${red('error:')} ${e.message}\n  ${yellow('fix:')} ${e.fix}\n`);
      return EXIT.error;
    }
    throw e;
  }
  recordInManifest(dataDir, added);
  const agent = await tellAgent(dataDir, idp as IdpAdminType, added);
  if (!json) {
    printAdded(added, out);
    out(
      agent.ok
        ? `\n  ${green('✓')} the running sample agent knows ${added.server.name} now (the console's Agent page can connect to it)\n`
        : `\n  ${yellow('!')} the running sample agent was not told: ${agent.error_description}\n`,
    );
  }
  // A secret generated just now is registered nowhere yet: the scorecard would only say so.
  const rerun = `xaa add-server ${url} --client-id ${added.configure.client.client_id} --client-secret <the secret registered at your AS>`;
  if (values['no-scorecard'] || added.configure.client.secret_generated) {
    if (json)
      out(
        `${JSON.stringify({ ok: true, discovery, added, agent, scorecard: null, next: added.configure.client.secret_generated ? rerun : undefined }, null, 2)}\n`,
      );
    else if (added.configure.client.secret_generated)
      out(`\n${bold('Next')}: register that client at your AS and trust the issuer above, then run the scorecard:\n  ${rerun}\n`);
    return EXIT.ok;
  }
  if (!json) process.stderr.write(dim('\nrunning the AS scorecard…\n'));
  let report: ScorecardReport;
  try {
    report = await scoreAddedServer(added.configure, idp as IdpAdminType, { timeoutMs: 10_000 });
  } catch (e) {
    throw new CliError(`The scorecard could not run: ${(e as Error).message}`);
  }
  const trust = trustFinding(report, added.configure);
  if (json) out(`${JSON.stringify({ ok: report.ok, discovery, added, agent, trust, scorecard: report }, null, 2)}\n`);
  else {
    printScorecard(report, trust, out);
    if (trust.status === 'ok')
      out(`\n${bold('Try it with the sample agent')}: xaa login --app ${added.app.client_id} --user alice --headless, then xaa connect ${added.server.name}\n`);
  }
  return report.ok ? EXIT.ok : EXIT.error;
}

export async function addClientCommand(argv: string[], ctx: { dataDir: string }): Promise<number> {
  const { values, positionals } = parseCliArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      title: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'client-id': { type: 'string' },
      public: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const out = (s: string) => process.stdout.write(s);
  if (values.help) {
    out(`${ADD_CLIENT_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError(`add-client takes options only (got ${positionals.join(' ')}); see xaa add-client --help`);
  if (!values.title?.trim()) throw new UsageError('add-client needs --title "<your client>".');
  const redirectUris = values['redirect-uri'] ?? [];
  if (redirectUris.length === 0) throw new UsageError('add-client needs at least one --redirect-uri (where the IdP sends the user back after sign-in).');
  const dataDir = resolve(values['data-dir'] ?? ctx.dataDir);
  const { addClient, OnboardError } = await import('@xaa/scorecard');
  const idp = await idpFor(dataDir);
  try {
    const r = await addClient({
      idp,
      title: values.title.trim(),
      redirectUris,
      ...(values['client-id'] ? { clientId: values['client-id'] } : {}),
      ...(values.public ? { authMethod: 'none' as const } : {}),
    });
    if (values.json) {
      out(`${JSON.stringify({ ok: true, client: r }, null, 2)}\n`);
      return EXIT.ok;
    }
    out(`${green('✓')} ${bold(r.title)} registered at ${r.idp.issuer} as ${bold(r.client_id)}\n\n`);
    out(`${bold('Configure in your client')}\n`);
    out(`  issuer                 ${r.idp.issuer}   ${dim(`(discovery ${r.idp.discovery})`)}\n`);
    out(`  client_id              ${r.client_id}\n`);
    out(`  client_secret          ${r.client_secret ?? dim('none: a public client (PKCE only, token_endpoint_auth_method none)')}\n`);
    out(`  redirect_uri           ${r.redirect_uris.join(', ')}\n`);
    out(`  SSO                    code + PKCE (${r.sso.code_challenge_method}) at ${r.idp.authorization_endpoint}, scope "${r.sso.scope}"\n`);
    out(`  token exchange         POST ${r.idp.token_endpoint}\n`);
    out(`                         grant_type=${r.token_exchange.grant_type}\n`);
    out(`                         requested_token_type=${r.token_exchange.requested_token_type}\n`);
    out(`                         subject_token=<ID token>  subject_token_type=${r.token_exchange.subject_token_type}\n`);
    out(`                         audience=<AS issuer>  resource=<MCP resource>  ${dim('(from the server’s RFC 9728 / RFC 8414 metadata)')}\n`);
    out(`\n${bold('Next')}\n`);
    out(`  • connect it to a server: console → Connections (${r.client_id} → a server), and map its client id at that AS\n`);
    out(`    (console → Directory → Apps, or PUT /admin/apps/${r.client_id}/registrations/<server>)\n`);
    out(`  • servers it can reach: ${r.servers.map((s) => `${s.name} (${s.resource})`).join(', ') || 'none registered'}\n`);
    out(`  • grade it: xaa test-client --command "<your client, run once>"\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof OnboardError) {
      if (values.json) out(`${JSON.stringify({ ok: false, error: { code: e.code, message: e.message, fix: e.fix } }, null, 2)}\n`);
      else process.stderr.write(`${red('error:')} ${e.message}\n  ${yellow('fix:')} ${e.fix}\n`);
      return EXIT.error;
    }
    throw e;
  }
}

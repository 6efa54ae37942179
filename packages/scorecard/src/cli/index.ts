/**
 * `xaa test-as` and `xaa test-client`: the scorecards from the command line. The lead's CLI
 * (apps/cli) hands over argv and the environment; this module parses its own options, so the
 * scorecards' flags live beside the code that uses them. Output: a table (default), `--json` (the
 * report object) and `--junit <file>` (JUnit XML for CI). Exit codes: 0 every case passed (warnings
 * allowed), 1 a case failed or the run could not complete, 2 usage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCliArgs } from '@xaa/node-kit/cli-args';
import { wantsColour } from '@xaa/node-kit/colour';
import type { AuthMethod } from '../as/token-request.ts';
import { ScorecardError } from '../http.ts';
import { type FaultKind, type IdpAccess, IdpAdmin } from '../idp.ts';
import { loadPlayground, type PlaygroundManifest } from '../playground.ts';
import { renderJunit } from '../report/junit.ts';
import { renderTable } from '../report/table.ts';
import type { CaseResult, ScorecardReport } from '../report/types.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface ScorecardIO {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
  width?: number;
}

export interface ScorecardCliContext {
  /** Default data directory (playground.json), e.g. from $XAA_DATA_DIR. */
  dataDir?: string;
  /** $NO_COLOR was set (the caller reads the environment; this module does not). */
  noColor?: boolean;
  io?: ScorecardIO;
}

class Usage extends Error {}

export const TEST_AS_HELP = `xaa test-as — attack scorecard for a resource authorization server

  xaa test-as --issuer <AS issuer> --resource <MCP resource> --client-id <id> --client-secret <secret>
  xaa test-as --server tasks            a playground server, with acme-agent's registration there
  xaa test-as --config scorecard.json   the same options as JSON ({"issuer": …, "client-id": …})

  --auth-method client_secret_basic|client_secret_post   default: from the AS metadata
  --scope "a b"            scopes the valid ID-JAG grants (default: the resource's PRM scopes_supported)
  --user alice             IdP user the ID-JAGs are for
  --other-client-id <id>   another client registered at the AS (client_id binding case)
  --other-resource <url>   a resource the AS does not serve
  --public-client-id <id>  a public client registered at the AS
  --no-resource-param      do not send the RFC 8707 resource parameter
  --cases a,b              only these cases / groups (e.g. signature,replay.jti)
  --idp <issuer>           the playground IdP (default: playground.json)
  --admin-token <jwt> | --ops-client-id <id> --ops-client-secret <s>   IdP admin access
  --json                   print the report as JSON
  --junit <file>           also write JUnit XML
  --data-dir <dir>         where playground.json is (default $XAA_DATA_DIR or .data)`;

export const TEST_CLIENT_HELP = `xaa test-client — grade an MCP client against the playground, with IdP fault injection

  xaa test-client --command "<shell command that runs your client once>"

  The command runs once against a well-behaved IdP (graded: token-exchange parameters, client
  authentication at each party, a fresh ID-JAG per jwt-bearer request, the token in the header),
  then once per fault switch (typ, aud, expired, missing_jti, unknown_kid, slow, server_error,
  access_denied), scoped to your client at the IdP. Each run must fetch fresh tokens.

  --client <id>            your client's id at the IdP (default: the one the first run used)
  --faults all|none|a,b    which faults (default all)
  --dpop                   also run it once while every XAA server requires DPoP-bound tokens, and
                           grade its proofs (RFC 9449: bound ID-JAG, bound access token, same key,
                           MCP calls whose proofs pass every check)
  --slow-ms 2000           delay of the slow fault
  --timeout 60             seconds per run
  --max-per-server 3       most requests per server a failing client may make
  --idp / --admin-token / --ops-client-id / --ops-client-secret / --data-dir / --json / --junit / --config   as for test-as`;

const COMMON = {
  config: { type: 'string' },
  idp: { type: 'string' },
  'admin-token': { type: 'string' },
  'ops-client-id': { type: 'string' },
  'ops-client-secret': { type: 'string' },
  'data-dir': { type: 'string' },
  json: { type: 'boolean' },
  junit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const AS_OPTIONS = {
  ...COMMON,
  issuer: { type: 'string' },
  resource: { type: 'string' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  server: { type: 'string' },
  client: { type: 'string' },
  'auth-method': { type: 'string' },
  scope: { type: 'string' },
  user: { type: 'string' },
  'other-client-id': { type: 'string' },
  'other-resource': { type: 'string' },
  'public-client-id': { type: 'string' },
  'no-resource-param': { type: 'boolean' },
  cases: { type: 'string' },
} as const;

const CLIENT_OPTIONS = {
  ...COMMON,
  command: { type: 'string' },
  client: { type: 'string' },
  faults: { type: 'string' },
  dpop: { type: 'boolean' },
  'slow-ms': { type: 'string' },
  timeout: { type: 'string' },
  'max-per-server': { type: 'string' },
} as const;

type Values = Record<string, string | boolean | undefined>;

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Options from `--config <file>` (keys as the long option names, kebab or camel case), overridden by flags. */
function withConfig(values: Values, allowed: Record<string, { type: string }>): Values {
  if (typeof values.config !== 'string') return values;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(resolve(values.config), 'utf8'));
  } catch (e) {
    throw new Usage(`--config ${values.config}: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Usage(`--config ${values.config}: expected a JSON object`);
  const out: Values = {};
  for (const [k, v] of Object.entries(doc)) {
    const key = kebab(k);
    const spec = allowed[key];
    if (!spec || key === 'config') throw new Usage(`--config ${values.config}: unknown option "${k}"`);
    if (spec.type === 'boolean' ? typeof v !== 'boolean' : typeof v !== 'string' && typeof v !== 'number')
      throw new Usage(`--config ${values.config}: "${k}" must be a ${spec.type}`);
    out[key] = typeof v === 'number' ? String(v) : (v as string | boolean);
  }
  return { ...out, ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) };
}

function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function int(values: Values, name: string, min: number, max: number): number | undefined {
  const v = str(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Usage(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}

function manifestOrUndefined(dataDir: string): PlaygroundManifest | undefined {
  try {
    return loadPlayground(dataDir);
  } catch {
    return undefined;
  }
}

/** The IdP and how to get admin tokens there: flags first, then playground.json. */
function idpAccess(values: Values, manifest: PlaygroundManifest | undefined): IdpAccess {
  const issuer = str(values, 'idp') ?? manifest?.idp.issuer;
  if (!issuer) throw new Usage('No IdP: pass --idp <issuer>, or start the playground so playground.json exists (see --data-dir).');
  const adminToken = str(values, 'admin-token');
  const opsId = str(values, 'ops-client-id');
  const opsSecret = str(values, 'ops-client-secret');
  if ((opsId === undefined) !== (opsSecret === undefined)) throw new Usage('--ops-client-id and --ops-client-secret go together.');
  const ops = opsId && opsSecret ? { client_id: opsId, client_secret: opsSecret } : manifest && manifest.idp.issuer === issuer ? manifest.ops : undefined;
  if (!adminToken && !ops) throw new Usage(`No admin access to ${issuer}: pass --admin-token, or --ops-client-id and --ops-client-secret.`);
  return {
    issuer,
    ...(manifest?.idp.admin && manifest.idp.issuer === issuer ? { admin: manifest.idp.admin } : {}),
    ...(adminToken ? { adminToken } : {}),
    ...(ops ? { ops } : {}),
  };
}

function progress(io: ScorecardIO, json: boolean) {
  const mark: Record<CaseResult['outcome'], string> = { pass: '✓', fail: '✗', warn: '!', error: '?', skip: '-' };
  return (r: CaseResult) => {
    if (!json) io.err(`  ${mark[r.outcome]} ${r.id}\n`);
  };
}

function output(io: ScorecardIO, report: ScorecardReport, values: Values): number {
  const junit = str(values, 'junit');
  if (junit) writeFileSync(resolve(junit), renderJunit(report));
  if (values.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else io.out(renderTable(report, { color: io.color, ...(io.width ? { width: io.width } : {}) }));
  if (junit && !values.json) io.err(`JUnit XML written to ${junit}\n`);
  return report.ok ? EXIT.ok : EXIT.failed;
}

export async function testAsCommand(argv: string[], ctx: ScorecardCliContext = {}): Promise<number> {
  const io = ctx.io ?? processIO(ctx.noColor ?? false);
  return guard(io, TEST_AS_HELP, async () => {
    const { values: flags } = parseCliArgs({ args: argv, options: AS_OPTIONS, strict: true, allowPositionals: false });
    if (flags.help) {
      io.out(`${TEST_AS_HELP}\n`);
      return EXIT.ok;
    }
    const values = withConfig(flags as Values, AS_OPTIONS);
    const dataDir = resolve(str(values, 'data-dir') ?? ctx.dataDir ?? '.data');
    const manifest = manifestOrUndefined(dataDir);
    const serverName = str(values, 'server');
    let issuer = str(values, 'issuer');
    let resourceUrl = str(values, 'resource');
    let clientId = str(values, 'client-id');
    let clientSecret = str(values, 'client-secret');
    let otherClientId = str(values, 'other-client-id');
    let otherResource = str(values, 'other-resource');
    if (serverName) {
      // A playground server: everything comes from playground.json.
      if (!manifest) throw new Usage(`--server needs ${dataDir}/playground.json (start the playground, or pass --data-dir).`);
      const server = manifest.servers.find((s) => s.name === serverName);
      if (!server) throw new Usage(`No server "${serverName}" in playground.json (known: ${manifest.servers.map((s) => s.name).join(', ')}).`);
      const appName = str(values, 'client') ?? 'acme-agent';
      const app = manifest.clients.find((c) => c.name === appName);
      const reg = app?.servers[server.name];
      if (!reg) throw new Usage(`The app "${appName}" has no registration at ${server.name}.`);
      issuer ??= server.issuer;
      resourceUrl ??= server.resource;
      clientId ??= reg.client_id;
      clientSecret ??= reg.client_secret;
      otherClientId ??= manifest.clients.find((c) => c.name !== appName && c.servers[server.name])?.servers[server.name]?.client_id;
      otherResource ??= manifest.servers.find((s) => s.name !== server.name)?.resource;
    } else if (manifest && issuer) {
      // The AS is a playground server: pick a real other client and another server's resource.
      const server = manifest.servers.find((s) => s.issuer === issuer);
      if (server) {
        otherClientId ??= manifest.clients.map((c) => c.servers[server.name]?.client_id).find((id) => id && id !== clientId);
        otherResource ??= manifest.servers.find((s) => s.name !== server.name)?.resource;
      }
    }
    const missing = [
      ['issuer', issuer],
      ['resource', resourceUrl],
      ['client-id', clientId],
      ['client-secret', clientSecret],
    ].filter(([, v]) => !v);
    if (missing.length) throw new Usage(`Missing ${missing.map(([k]) => `--${k}`).join(', ')} (or --server <name> for a playground server).`);
    const authMethod = str(values, 'auth-method');
    if (authMethod && authMethod !== 'client_secret_basic' && authMethod !== 'client_secret_post')
      throw new Usage('--auth-method is client_secret_basic or client_secret_post');
    const { runAsScorecard } = await import('../as/run.ts');
    const json = values.json === true;
    if (!json) io.err(`AS scorecard: ${issuer} (resource ${resourceUrl}, client ${clientId})\n`);
    const report = await runAsScorecard({
      issuer: issuer as string,
      resource: resourceUrl as string,
      clientId: clientId as string,
      clientSecret: clientSecret as string,
      idp: new IdpAdmin(idpAccess(values, manifest)),
      ...(authMethod ? { authMethod: authMethod as AuthMethod } : {}),
      ...(str(values, 'scope') ? { scopes: (str(values, 'scope') as string).split(' ').filter(Boolean) } : {}),
      ...(str(values, 'user') ? { user: str(values, 'user') } : {}),
      ...(otherClientId ? { otherClientId } : {}),
      ...(otherResource ? { otherResource } : {}),
      ...(str(values, 'public-client-id') ? { publicClientId: str(values, 'public-client-id') } : {}),
      ...(values['no-resource-param'] ? { sendResource: false } : {}),
      ...(str(values, 'cases') ? { cases: (str(values, 'cases') as string).split(',').map((c) => c.trim()) } : {}),
      onCase: progress(io, json),
    });
    return output(io, report, values);
  });
}

const FAULTS: readonly FaultKind[] = ['typ', 'aud', 'expired', 'missing_jti', 'unknown_kid', 'slow', 'server_error', 'access_denied'];

export async function testClientCommand(argv: string[], ctx: ScorecardCliContext = {}): Promise<number> {
  const io = ctx.io ?? processIO(ctx.noColor ?? false);
  return guard(io, TEST_CLIENT_HELP, async () => {
    const { values: flags } = parseCliArgs({ args: argv, options: CLIENT_OPTIONS, strict: true, allowPositionals: false });
    if (flags.help) {
      io.out(`${TEST_CLIENT_HELP}\n`);
      return EXIT.ok;
    }
    const values = withConfig(flags as Values, CLIENT_OPTIONS);
    const command = str(values, 'command');
    if (!command) throw new Usage('--command "<shell command>" is required: it runs your client once (and must fetch fresh tokens each time).');
    const faultsArg = str(values, 'faults') ?? 'all';
    const faults = faultsArg === 'all' ? FAULTS : faultsArg === 'none' ? [] : faultsArg.split(',').map((f) => f.trim());
    const unknown = faults.filter((f) => !FAULTS.includes(f as FaultKind));
    if (unknown.length) throw new Usage(`Unknown fault(s) ${unknown.join(', ')}; known: ${FAULTS.join(', ')}`);
    const dataDir = resolve(str(values, 'data-dir') ?? ctx.dataDir ?? '.data');
    const manifest = manifestOrUndefined(dataDir);
    const timeout = int(values, 'timeout', 1, 3600) ?? 60;
    const slowMs = int(values, 'slow-ms', 0, 20_000);
    const maxPerServer = int(values, 'max-per-server', 1, 100);
    const json = values.json === true;
    const { runClientScorecard } = await import('../client/run.ts');
    const { shellRunner } = await import('../client/command.ts');
    if (!json) io.err(`Client scorecard: ${command}\n`);
    const runner = shellRunner(command, { timeoutMs: timeout * 1000 });
    const report = await runClientScorecard({
      idp: new IdpAdmin(idpAccess(values, manifest)),
      run: async (label) => {
        if (!json) io.err(`  … run ${label}\n`);
        return runner(label);
      },
      label: command,
      faults: faults as FaultKind[],
      ...(values.dpop === true ? { dpop: true } : {}),
      ...(str(values, 'client') ? { client: str(values, 'client') } : {}),
      ...(slowMs !== undefined ? { slowMs } : {}),
      ...(maxPerServer !== undefined ? { maxPerServer } : {}),
      onCase: progress(io, json),
    });
    return output(io, report, values);
  });
}

/** Usage problems → exit 2 with help; scorecard errors (unreachable IdP, no metadata …) → exit 1. */
async function guard(io: ScorecardIO, help: string, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (e instanceof Usage || code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`usage: ${(e as Error).message}\n\n${help}\n`);
      return EXIT.usage;
    }
    if (e instanceof ScorecardError) {
      io.err(`error: ${e.message}\n`);
      return EXIT.failed;
    }
    throw e;
  }
}

function processIO(noColor: boolean): ScorecardIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    color: !noColor && wantsColour(process.stdout, {}),
    ...(process.stdout.columns ? { width: process.stdout.columns } : {}),
  };
}

/** Entry for the `xaa` CLI: `test-as` or `test-client` with the rest of argv. */
export function scorecardCommand(command: 'test-as' | 'test-client', argv: string[], ctx: ScorecardCliContext = {}): Promise<number> {
  return command === 'test-as' ? testAsCommand(argv, ctx) : testClientCommand(argv, ctx);
}

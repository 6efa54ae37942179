/**
 * MCP servers the agent learns while it runs (the console's "Add a server", `PUT /admin/agent/servers/{name}`):
 * the server's resource (RFC 9728), the issuer of its AS (RFC 8414) and each app's client registration at
 * that AS (draft-04 §5 registration 2). They are kept in client.db and laid over the configuration at
 * every start, so every process that opens client.db (the agent, the CLI) knows them.
 *
 * One name, one (issuer, resource): a name the configuration already gives another server, or a
 * resource already known under another name, is a conflict, never a silent repoint of credentials.
 */
import { type AgentApp, type AgentConfig, type AgentServer, findApp } from './config.ts';
import { ServerConflict, UsageProblem } from './problems.ts';
import type { AddedServerRow } from './store.ts';

export interface AddedServerInput {
  title: string;
  resource: string;
  issuer: string;
  scopes?: string[] | undefined;
  /** Keyed by the app's name (or client id at the IdP). */
  registrations: Record<string, { client_id: string; client_secret?: string | undefined }>;
}

/** What the agent's status says about a server it knows (never a secret). */
export interface KnownServer {
  name: string;
  title: string;
  resource: string;
  issuer: string | null;
  scopes: string[];
  /** Learnt at run time (kept in client.db) rather than configured. */
  added: boolean;
  /** The apps with a registration at its AS, and their client id there. */
  registrations: Array<{ app: string; client_id: string }>;
}

/** A copy of `config` whose lists may grow without touching the caller's object. */
export function copyConfig(config: AgentConfig): AgentConfig {
  return { ...config, servers: [...config.servers], apps: config.apps.map((a) => ({ ...a, servers: { ...a.servers } })) };
}

/** Check an added server against what is configured; returns the canonical registrations. */
export function checkAdded(config: AgentConfig, added: ReadonlySet<string>, name: string, input: AddedServerInput): AddedServerRow['registrations'] {
  const fields: Record<string, string> = {};
  const registrations: AddedServerRow['registrations'] = {};
  for (const [key, reg] of Object.entries(input.registrations)) {
    const app: AgentApp | undefined = findApp(config, key);
    if (!app) fields[`registrations.${key}`] = `Unknown app. Known: ${config.apps.map((a) => a.name).join(', ')}.`;
    else registrations[app.name] = { client_id: reg.client_id, ...(reg.client_secret ? { client_secret: reg.client_secret } : {}) };
  }
  if (Object.keys(fields).length) throw new UsageProblem(`The agent has no such app: ${Object.keys(fields).join(', ')}.`, fields);
  const same = config.servers.find((s) => s.name === name);
  if (same && !added.has(name) && (same.url !== input.resource || (same.issuer !== undefined && same.issuer !== input.issuer)))
    throw new ServerConflict(`The agent's configuration names another server "${name}" (${same.url}); choose another name.`);
  const other = config.servers.find((s) => s.name !== name && s.url === input.resource);
  if (other) throw new ServerConflict(`The agent knows ${input.resource} already, as "${other.name}".`);
  return registrations;
}

/** Lay one stored server over `config` (mutates it: the agent's own copy). */
export function applyAdded(config: AgentConfig, row: Omit<AddedServerRow, 'updated_at'>): void {
  const server: AgentServer = { name: row.name, title: row.title, url: row.resource, issuer: row.issuer, scopes: row.scopes };
  const i = config.servers.findIndex((s) => s.name === row.name);
  if (i >= 0) config.servers[i] = server;
  else config.servers.push(server);
  for (const [appName, reg] of Object.entries(row.registrations)) {
    const app = config.apps.find((a) => a.name === appName);
    if (app) app.servers[row.name] = { client_id: reg.client_id, ...(reg.client_secret ? { client_secret: reg.client_secret } : {}) };
  }
}

/** Undo `applyAdded` for `name` (mutates `config`): back to `base`'s entry and registrations, or gone. */
export function forgetAdded(config: AgentConfig, base: AgentConfig, name: string): void {
  const i = config.servers.findIndex((s) => s.name === name);
  const configured = base.servers.find((s) => s.name === name);
  if (i >= 0 && configured) config.servers[i] = configured;
  else if (i >= 0) config.servers.splice(i, 1);
  for (const a of config.apps) {
    const reg = base.apps.find((b) => b.name === a.name)?.servers[name];
    if (reg) a.servers[name] = reg;
    else delete a.servers[name];
  }
}

/** Lay the stored servers over the configuration; one that now contradicts it is left out. */
export function withAddedServers(config: AgentConfig, rows: readonly AddedServerRow[]): { config: AgentConfig; added: Set<string> } {
  const copy = copyConfig(config);
  const added = new Set<string>();
  for (const stored of rows) {
    // A registration of an app the configuration no longer has is dropped; the server stays.
    const registrations = Object.fromEntries(Object.entries(stored.registrations).filter(([app]) => copy.apps.some((a) => a.name === app)));
    const row = { ...stored, registrations };
    try {
      checkAdded(copy, added, row.name, row);
    } catch {
      continue;
    }
    applyAdded(copy, row);
    added.add(row.name);
  }
  return { config: copy, added };
}

export function knownServers(config: AgentConfig, added: ReadonlySet<string>): KnownServer[] {
  return config.servers.map((s) => ({
    name: s.name,
    title: s.title,
    resource: s.url,
    issuer: s.issuer ?? null,
    scopes: s.scopes,
    added: added.has(s.name),
    registrations: config.apps.flatMap((a) => {
      const reg = a.servers[s.name];
      return reg ? [{ app: a.name, client_id: reg.client_id }] : [];
    }),
  }));
}

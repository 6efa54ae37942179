/**
 * What the agent knows before it talks to anyone: the IdP issuer, its own client registrations (one at
 * the IdP, one per resource AS — draft-04 §5 "three registrations"), the MCP servers it may call, and
 * for the headless mode the demo users' passwords. Built from a `Topology` or read from
 * `<dataDir>/playground.json` (docs/decisions.md §3). Nothing here is discovered: issuers, token endpoints and
 * resources come from metadata at run time (RFC 9728, RFC 8414).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from '@xaa/topology';

export interface AppRegistration {
  client_id: string;
  /** Absent for an app registered as a public client at the IdP. */
  client_secret?: string | undefined;
}

export interface AgentApp {
  name: string;
  title: string;
  /** Registration at the IdP: SSO and token exchange (draft-04 §5 registration 1). */
  idp: AppRegistration & { redirect_uris: string[] };
  /** Registration at each server's AS, keyed by server name (registration 2; MCP-AUTHZ: keyed by AS). */
  servers: Record<string, AppRegistration>;
  /** This app binds its tokens with DPoP by default (RFC 9449); `--dpop` turns it on for any app. */
  dpop?: boolean | undefined;
  /** Present when the app also signs in with SAML 2.0 Web SSO: its SP entity ID and ACS URL. */
  saml?: { entity_id: string; acs_url: string } | undefined;
}

export interface AgentServer {
  name: string;
  title: string;
  /** The MCP endpoint (also the expected RFC 9728 resource identifier). */
  url: string;
  /**
   * The AS issuer the app's pre-registered credentials belong to, when known. Credentials are only
   * ever sent to an AS whose validated metadata names this issuer (MCP-AUTHZ: keyed by AS issuer).
   */
  issuer?: string | undefined;
  scopes: string[];
}

export interface AgentUser {
  username: string;
  password: string;
}

export interface AgentConfig {
  /** `saml.metadata_url`: the IdP's SAML 2.0 metadata (entity ID, SSO endpoints, signing certificates). */
  idp: { issuer: string; saml?: { metadata_url: string } | undefined };
  apps: AgentApp[];
  servers: AgentServer[];
  /** Demo users: used only by the headless mode to fill login forms. */
  users: AgentUser[];
  /** The agent's own origin: `/callback` (SSO and classic redirects) and the console's agent API. */
  agent: { url: string; admin: string };
  /** The SSO redirect URI; docs/decisions.md §3: `http://localhost:4200/callback`. */
  redirectUri: string;
  /** Documented knobs (see `AGENT_DEFAULTS`). */
  options: AgentOptions;
}

export interface AgentOptions {
  /**
   * Scopes asked for at SSO. `offline_access` gets the IdP refresh token that renews the ID token
   * (draft-04 §4.4.3: on ID-token expiry use the IdP refresh token, else re-authenticate).
   */
  ssoScope: string;
  /** Seconds before `exp` at which a token counts as expired (clock skew allowance, RFC 7519 §4.1.4). */
  expirySkewSeconds: number;
  /** Upper bound on one HTTP request (ms); every request the agent makes is bounded. */
  httpTimeoutMs: number;
  /** Upper bound on redirects and forms the headless user agent follows for one login. */
  headlessMaxSteps: number;
  /** How long an interactive login waits for the browser to come back to `/callback` (ms). */
  interactiveLoginTimeoutMs: number;
  /**
   * Sender-constrain every app's tokens with DPoP (RFC 9449): proofs on the token exchange and the
   * jwt-bearer grant, `Authorization: DPoP` at MCP servers. Default false (an app may still default to
   * DPoP with `dpop: true`). Recommendation: on wherever the servers support it.
   */
  dpop: boolean;
}

/** The documented defaults object (style §1.10): title, value and why. */
export const AGENT_DEFAULTS: AgentOptions = {
  ssoScope: 'openid email profile offline_access',
  expirySkewSeconds: 5,
  httpTimeoutMs: 10_000,
  // The classic path now also passes the company IdP (Sign in with Acme SSO): about 14 hops, bounded.
  headlessMaxSteps: 24,
  interactiveLoginTimeoutMs: 5 * 60_000,
  dpop: false,
};

export function configFromTopology(t: Topology, options: Partial<AgentOptions> = {}): AgentConfig {
  return {
    idp: { issuer: t.idp.issuer, saml: t.idp.saml },
    apps: t.clients.map((c) => ({ name: c.name, title: c.title, idp: c.idp, servers: c.servers, ...(c.saml ? { saml: c.saml } : {}) })),
    servers: t.servers.map((s) => ({ name: s.name, title: s.title, url: s.resource, issuer: s.issuer, scopes: s.scopes })),
    users: t.users.map((u) => ({ username: u.username, password: u.password })),
    agent: { url: t.agent.url, admin: t.agent.admin },
    redirectUri: `${t.agent.url}/callback`,
    options: { ...AGENT_DEFAULTS, ...options },
  };
}

/** The subset of `playground.json` (docs/decisions.md §3) the agent reads. */
interface Manifest {
  idp?: { issuer?: unknown; saml?: { metadata_url?: unknown } };
  servers?: Array<{ name?: unknown; title?: unknown; resource?: unknown; issuer?: unknown; scopes?: unknown }>;
  clients?: Array<{
    name?: unknown;
    title?: unknown;
    idp?: Record<string, unknown>;
    servers?: Record<string, Record<string, unknown>>;
    saml?: { entity_id?: unknown; acs_url?: unknown };
    dpop?: unknown;
  }>;
  users?: Array<{ username?: unknown; password?: unknown }>;
  agent?: { url?: unknown };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v === '') throw new ConfigError(`playground.json: ${what} must be a non-empty string`);
  return v;
};

export function configFromManifest(m: Manifest, options: Partial<AgentOptions> = {}): AgentConfig {
  const issuer = str(m.idp?.issuer, 'idp.issuer');
  const agentUrl = typeof m.agent?.url === 'string' ? m.agent.url : 'http://localhost:4200';
  const apps: AgentApp[] = (m.clients ?? []).map((c, i) => {
    const idp = c.idp ?? {};
    const secret = idp.client_secret;
    return {
      name: str(c.name, `clients[${i}].name`),
      title: typeof c.title === 'string' ? c.title : str(c.name, `clients[${i}].name`),
      idp: {
        client_id: str(idp.client_id, `clients[${i}].idp.client_id`),
        ...(typeof secret === 'string' && secret ? { client_secret: secret } : {}),
        redirect_uris: Array.isArray(idp.redirect_uris) ? idp.redirect_uris.filter((u): u is string => typeof u === 'string') : [`${agentUrl}/callback`],
      },
      servers: Object.fromEntries(
        Object.entries(c.servers ?? {}).map(([name, reg]) => [
          name,
          {
            client_id: str(reg.client_id, `clients[${i}].servers.${name}.client_id`),
            ...(typeof reg.client_secret === 'string' ? { client_secret: reg.client_secret } : {}),
          },
        ]),
      ),
      ...(c.dpop === true ? { dpop: true } : {}),
      ...(c.saml
        ? { saml: { entity_id: str(c.saml.entity_id, `clients[${i}].saml.entity_id`), acs_url: str(c.saml.acs_url, `clients[${i}].saml.acs_url`) } }
        : {}),
    };
  });
  const servers: AgentServer[] = (m.servers ?? []).map((s, i) => ({
    name: str(s.name, `servers[${i}].name`),
    title: typeof s.title === 'string' ? s.title : str(s.name, `servers[${i}].name`),
    url: str(s.resource, `servers[${i}].resource`),
    ...(typeof s.issuer === 'string' ? { issuer: s.issuer } : {}),
    scopes: Array.isArray(s.scopes) ? s.scopes.filter((x): x is string => typeof x === 'string') : [],
  }));
  const users = (m.users ?? []).flatMap((u) =>
    typeof u.username === 'string' && typeof u.password === 'string' ? [{ username: u.username, password: u.password }] : [],
  );
  const metadataUrl = m.idp?.saml?.metadata_url;
  return {
    idp: { issuer, ...(typeof metadataUrl === 'string' && metadataUrl ? { saml: { metadata_url: metadataUrl } } : {}) },
    apps,
    servers,
    users,
    agent: { url: agentUrl, admin: `${agentUrl}/admin` },
    redirectUri: `${agentUrl}/callback`,
    options: { ...AGENT_DEFAULTS, ...options },
  };
}

/** Read `<dataDir>/playground.json`, written by `writeManifest()` when the playground starts. */
export function loadConfig(dataDir: string, options: Partial<AgentOptions> = {}): AgentConfig {
  const path = join(dataDir, 'playground.json');
  if (!existsSync(path)) throw new ConfigError(`${path} not found. Start the playground first (pnpm xaa start), or pass --data-dir.`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch (e) {
    throw new ConfigError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return configFromManifest(manifest, options);
}

/** Whether this app binds its tokens with DPoP: the global switch (`--dpop`) or the app's default. */
export function wantsDpop(config: AgentConfig, app: AgentApp): boolean {
  return config.options.dpop || app.dpop === true;
}

export function findApp(config: AgentConfig, name: string): AgentApp | undefined {
  const n = name.toLowerCase();
  return config.apps.find((a) => a.name === n || a.title.toLowerCase() === n || a.idp.client_id === name);
}

export function findServer(config: AgentConfig, name: string): AgentServer | undefined {
  const n = name.toLowerCase();
  return config.servers.find((s) => s.name === n || s.title.toLowerCase() === n || s.url === name);
}

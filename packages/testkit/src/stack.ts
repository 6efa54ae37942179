/**
 * One way to start the playground's parts for the apps' tests, the harness, the bench and the e2e
 * journeys: a free block of loopback ports, a temporary data directory, the topology for both, the
 * parts started in the order given (each with its own `start()`: in-process, on worker threads or as a
 * child process) and closed in reverse. A port another process took between the check and the bind
 * means a fresh block and a fresh data directory (the IdP seeds redirect URIs, which carry the ports).
 *
 * The parts are given by the caller, so the kit depends on no app and every app's tests can use it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTopology, type Topology, type TopologyOptions, writeManifest } from '@xaa/topology';
import { freeBasePort, portTaken } from './ports.ts';

export interface StackContext {
  topology: Topology;
  dataDir: string;
  basePort: number;
}

export interface Closable {
  close(): Promise<void>;
}

export type PartStarter = (ctx: StackContext) => Promise<Closable>;

export interface StackOptions<P extends Record<string, PartStarter>> {
  /** Started in this order, closed in reverse. */
  parts: P;
  /** Fixed client secrets (else generated once per data directory, kept in its secrets.json). */
  secrets?: TopologyOptions['secrets'];
  /** Use this data directory (kept on close), e.g. to restart on the same files. */
  dataDir?: string;
  /** Use this base port (no retry on another block). */
  basePort?: number;
  /** Prefix of the temporary data directory's name. */
  tmpPrefix?: string;
  /** Write playground.json into the data directory before the parts start. */
  manifest?: boolean;
}

/** What every stack offers besides its parts: the seeded ops client's admin-API access. */
export interface StackBase extends StackContext {
  /**
   * An admin-API access token from the seeded ops client (client_credentials with an RFC 8707
   * `resource`, default the IdP's admin API), reused until shortly before it expires.
   */
  opsToken(resource?: string): Promise<string>;
  /** A request to an admin API as the ops client (`token: ''` sends none); JSON in, JSON (or text) out. */
  admin(url: string, init?: { method?: string; body?: unknown; token?: string }): Promise<JsonAnswer>;
  close(): Promise<void>;
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes, asserted field by field
  body: any;
}

export type Stack<P extends Record<string, PartStarter>> = StackBase & { readonly [K in keyof P]: Awaited<ReturnType<P[K]>> };

/** A response's JSON body, or its text when it is not JSON, or undefined when empty. */
export async function readJson(res: Response): Promise<JsonAnswer> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body };
}

export async function startStack<P extends Record<string, PartStarter>>(options: StackOptions<P>): Promise<Stack<P>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (e) {
      if (options.basePort !== undefined || !portTaken(e) || attempt >= 5) throw e;
    }
  }
}

async function startOnce<P extends Record<string, PartStarter>>(options: StackOptions<P>): Promise<Stack<P>> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), options.tmpPrefix ?? 'xaa-stack-'));
  const removeDir = () => {
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const running: Closable[] = [];
  const closeAll = async () => {
    for (const part of running.reverse()) await part.close().catch(() => {});
    running.length = 0;
  };
  try {
    const basePort = options.basePort ?? (await freeBasePort());
    const topology = loadTopology({ dataDir, basePort, ...(options.secrets ? { secrets: options.secrets } : {}) });
    if (options.manifest) writeManifest(topology);
    const ctx: StackContext = { topology, dataDir, basePort };
    const parts: Record<string, Closable> = {};
    for (const [name, start] of Object.entries(options.parts)) {
      const part = await start(ctx);
      running.push(part);
      parts[name] = part;
    }
    const tokens = new Map<string, { token: string; exp: number }>();
    const opsToken = async (resource = topology.idp.admin) => {
      const cached = tokens.get(resource);
      if (cached && cached.exp > Date.now() + 30_000) return cached.token;
      const credentials = Buffer.from(`${encodeURIComponent(topology.ops.client_id)}:${encodeURIComponent(topology.ops.client_secret)}`);
      const res = await fetch(`${topology.idp.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${credentials.toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope: 'xaa:admin' }),
      });
      const body = (await res.json()) as { access_token?: string; expires_in?: number };
      if (!body.access_token) throw new Error(`no ops token for ${resource}: ${res.status} ${JSON.stringify(body)}`);
      tokens.set(resource, { token: body.access_token, exp: Date.now() + (body.expires_in ?? 60) * 1000 });
      return body.access_token;
    };
    const admin: StackBase['admin'] = async (url, init = {}) => {
      const token = init.token ?? (await opsToken(adminResourceOf(topology, url)));
      const res = await fetch(url, {
        method: init.method ?? 'GET',
        headers: {
          ...(token === '' ? {} : { authorization: `Bearer ${token}` }),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
      });
      return readJson(res);
    };
    const base: StackBase = {
      ...ctx,
      opsToken,
      admin,
      close: async () => {
        await closeAll();
        removeDir();
      },
    };
    return Object.assign(base, parts) as Stack<P>;
  } catch (e) {
    await closeAll();
    removeDir();
    throw e;
  }
}

/** The admin API (RFC 8707 resource) a URL belongs to: the longest topology admin base it starts with. */
function adminResourceOf(topology: Topology, url: string): string {
  const bases = [topology.idp.admin, ...topology.servers.map((s) => s.admin), topology.agent.admin, topology.console.admin].filter((b): b is string =>
    Boolean(b),
  );
  return bases.filter((b) => url.startsWith(b)).sort((a, b) => b.length - a.length)[0] ?? topology.idp.admin;
}

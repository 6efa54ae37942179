/**
 * What the client sent, as the parties it talked to recorded it: the IdP's and every sample
 * server's flow events (admin events API) between two marks. The scorecard reads these rather than
 * a proxy, so the client runs exactly as it would against the playground — same URLs, same issuers.
 */
import type { FlowEvent } from '@xaa/protocol';
import type { IdpAdmin } from '../idp.ts';

export interface ServerInfo {
  name: string;
  issuer: string;
  resource: string;
  xaa: boolean;
  admin_url: string | null;
}

export interface AppInfo {
  client_id: string;
  /** server name → the app's client id at that server's AS. */
  registrations: Record<string, string>;
}

export interface Directory {
  servers: ServerInfo[];
  apps: AppInfo[];
}

export async function readDirectory(idp: IdpAdmin): Promise<Directory> {
  const servers = (await idp.callAdmin(idp.admin, 'GET', '/servers')) as ServerInfo[] | { servers: ServerInfo[] };
  const apps = (await idp.callAdmin(idp.admin, 'GET', '/apps')) as AppInfo[] | { apps: AppInfo[] };
  return { servers: Array.isArray(servers) ? servers : servers.servers, apps: Array.isArray(apps) ? apps : apps.apps };
}

export type Marks = Map<string, string | undefined>;

/** The event sources: the IdP's admin API and each XAA server's. */
export function sources(idp: IdpAdmin, dir: Directory): string[] {
  return [idp.admin, ...dir.servers.filter((s) => s.xaa && s.admin_url).map((s) => s.admin_url as string)];
}

/** The last event id of each source; sources that do not answer are left out (and named in `unreachable`). */
export async function mark(idp: IdpAdmin, bases: readonly string[], unreachable: Set<string> = new Set()): Promise<Marks> {
  const m: Marks = new Map();
  for (const base of bases) {
    try {
      m.set(base, (await idp.eventsOf(base, { limit: 1 })).at(-1)?.id);
    } catch {
      unreachable.add(base);
    }
  }
  return m;
}

export async function collect(idp: IdpAdmin, marks: Marks): Promise<FlowEvent[]> {
  const all: FlowEvent[] = [];
  for (const [base, after] of marks) all.push(...(await idp.eventsOf(base, { ...(after ? { after } : {}), limit: 2000 })));
  return all.sort((a, b) => (a.time === b.time ? (a.id < b.id ? -1 : 1) : a.time < b.time ? -1 : 1));
}

/**
 * `.data/playground.json` (docs/decisions.md §3): where the scorecard finds the IdP, its ops client (for admin
 * tokens) and, when the AS under test is one of the playground's servers, the clients registered there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScorecardError } from './http.ts';

export interface PlaygroundManifest {
  idp: { issuer: string; admin?: string };
  servers: Array<{ name: string; title?: string; issuer: string; resource: string; scopes: string[]; xaa: boolean; admin?: string }>;
  clients: Array<{
    name: string;
    title?: string;
    idp: { client_id: string; client_secret: string; redirect_uris?: string[] };
    servers: Record<string, { client_id: string; client_secret: string }>;
  }>;
  users: Array<{ username: string; password: string; email?: string; groups?: string[]; admin?: boolean }>;
  connections?: Array<{ client: string; server: string; scopes: string[]; enabled: boolean }>;
  agent?: { url: string };
  ops: { client_id: string; client_secret: string };
}

export function loadPlayground(dataDir: string): PlaygroundManifest {
  const path = join(dataDir, 'playground.json');
  if (!existsSync(path))
    throw new ScorecardError(`${path} does not exist. Start the playground (pnpm xaa start) or pass --idp and the ops client.`, 'ERR_NO_MANIFEST');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PlaygroundManifest;
  } catch (e) {
    throw new ScorecardError(`${path} is not valid JSON: ${(e as Error).message}`, 'ERR_BAD_MANIFEST');
  }
}

/** The playground server whose AS issuer is `issuer`, if any. */
export function serverByIssuer(m: PlaygroundManifest, issuer: string) {
  return m.servers.find((s) => s.issuer === issuer);
}

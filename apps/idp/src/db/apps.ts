/** The apps table and each app's client ids at the servers' ASes (app_registrations, draft-04 §5). */
import type { Db } from '@xaa/node-kit';
import { type AppKind, type AppRecord, bool, json, type Row, type TokenEndpointAuthMethod } from './records.ts';

export type AppInput = Omit<AppRecord, 'created_at' | 'updated_at'>;

function appFromRow(db: Db, r: Row): AppRecord {
  const regs = db.prepare('SELECT server, remote_client_id FROM app_registrations WHERE client_id = ? ORDER BY server').all(r.client_id) as Row[];
  return {
    client_id: String(r.client_id),
    title: String(r.title),
    kind: String(r.kind) as AppKind,
    client_secret: r.client_secret === null ? null : String(r.client_secret),
    token_endpoint_auth_method: String(r.token_endpoint_auth_method) as TokenEndpointAuthMethod,
    redirect_uris: json<string[]>(r.redirect_uris),
    post_logout_redirect_uris: json<string[]>(r.post_logout_redirect_uris),
    jwks: r.jwks === null ? null : json(r.jwks),
    token_exchange: bool(r.token_exchange),
    disabled: bool(r.disabled),
    registrations: Object.fromEntries(regs.map((g) => [String(g.server), String(g.remote_client_id)])),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}

export function selectApps(db: Db): AppRecord[] {
  return (db.prepare('SELECT * FROM apps ORDER BY client_id').all() as Row[]).map((r) => appFromRow(db, r));
}

export function selectApp(db: Db, clientId: string): AppRecord | undefined {
  const row = db.prepare('SELECT * FROM apps WHERE client_id = ?').get(clientId) as Row | undefined;
  return row ? appFromRow(db, row) : undefined;
}

/** The app's client id at one server's AS, when it has a registration there. */
export function selectRemoteClientId(db: Db, clientId: string, server: string): string | undefined {
  const remote = db.prepare('SELECT remote_client_id FROM app_registrations WHERE client_id = ? AND server = ?').get(clientId, server) as Row | undefined;
  return remote ? String(remote.remote_client_id) : undefined;
}

/** Inserts or updates the app and replaces its registrations, in one transaction. */
export function upsertAppRows(db: Db, a: AppInput, now: number): void {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO apps (client_id, title, kind, client_secret, token_endpoint_auth_method, redirect_uris, post_logout_redirect_uris, jwks, token_exchange, disabled, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(client_id) DO UPDATE SET title = excluded.title, kind = excluded.kind, client_secret = excluded.client_secret,
             token_endpoint_auth_method = excluded.token_endpoint_auth_method, redirect_uris = excluded.redirect_uris,
             post_logout_redirect_uris = excluded.post_logout_redirect_uris, jwks = excluded.jwks, token_exchange = excluded.token_exchange,
             disabled = excluded.disabled, updated_at = excluded.updated_at`,
    ).run(
      a.client_id,
      a.title,
      a.kind,
      a.client_secret,
      a.token_endpoint_auth_method,
      JSON.stringify(a.redirect_uris),
      JSON.stringify(a.post_logout_redirect_uris),
      a.jwks ? JSON.stringify(a.jwks) : null,
      a.token_exchange ? 1 : 0,
      a.disabled ? 1 : 0,
      now,
      now,
    );
    db.prepare('DELETE FROM app_registrations WHERE client_id = ?').run(a.client_id);
    const ins = db.prepare('INSERT INTO app_registrations (client_id, server, remote_client_id) VALUES (?, ?, ?)');
    for (const [server, remote] of Object.entries(a.registrations)) ins.run(a.client_id, server, remote);
  })();
}

export function deleteAppRow(db: Db, clientId: string): boolean {
  return db.prepare('DELETE FROM apps WHERE client_id = ?').run(clientId).changes > 0;
}

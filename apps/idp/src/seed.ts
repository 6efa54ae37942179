/**
 * Seeding from `@xaa/topology` (docs/decisions.md §3): users alice/bob/dave/carol (password `demo`), groups, the
 * client apps with their redirect URIs and per-AS client ids, the console and ops clients, the MCP
 * servers with their (issuer, resource) pairs and scopes, and the connections. Seeding happens only
 * on an empty database; `resetDirectory` wipes and reseeds (signing keys and settings are kept, so
 * resource ASes that cached the JWKS keep working).
 */
import { createHash } from 'node:crypto';
import type { Db } from '@xaa/node-kit';
import type { Topology } from '@xaa/topology';
import type { DirectoryStore } from './db/directory.ts';
import { hashPassword } from './passwords.ts';
import { NAMEID_PERSISTENT, SamlRegistrations } from './saml/registrations.ts';

/** Seeded users get ids derived from their username, so a reset keeps the same `sub`. */
export function seededUserId(username: string): string {
  return `u_${createHash('sha256').update(`acme-workforce:${username}`).digest('hex').slice(0, 16)}`;
}

export function isEmpty(db: Db): boolean {
  const row = db.prepare('SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM apps) AS n').get() as { n: number };
  return row.n === 0;
}

export async function seed(directory: DirectoryStore, t: Topology): Promise<void> {
  const hashes = new Map<string, string>();
  for (const u of t.users) if (!hashes.has(u.password)) hashes.set(u.password, await hashPassword(u.password));
  directory.db.transaction(() => {
    for (const g of t.groups) directory.upsertGroup({ name: g.name, title: g.title });
    for (const u of t.users) {
      for (const g of u.groups) if (!directory.getGroup(g)) directory.upsertGroup({ name: g, title: g });
      directory.createUser({
        id: seededUserId(u.username),
        username: u.username,
        email: u.email,
        name: u.name,
        password_hash: hashes.get(u.password) as string,
        admin: u.admin,
        groups: u.groups,
      });
    }
    for (const s of t.servers)
      directory.upsertServer({
        name: s.name,
        title: s.title,
        issuer: s.issuer,
        resource: s.resource,
        scopes: s.scopes,
        xaa: s.xaa,
        pairwise_subject: false,
        admin_url: s.admin,
      });
    for (const c of t.clients)
      directory.upsertApp({
        client_id: c.idp.client_id,
        title: c.title,
        kind: 'app',
        client_secret: c.idp.client_secret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: c.idp.redirect_uris,
        post_logout_redirect_uris: c.idp.post_logout_redirect_uris,
        jwks: null,
        token_exchange: true,
        disabled: false,
        registrations: Object.fromEntries(Object.entries(c.servers).map(([server, reg]) => [server, reg.client_id])),
      });
    // SAML apps (SAML 2.0 Web SSO, apps/idp/src/saml): persistent NameID = the user's stable id, the OIDC `sub`.
    const saml = new SamlRegistrations(directory.db);
    for (const c of t.clients)
      if (c.saml)
        saml.put({ client_id: c.idp.client_id, entity_id: c.saml.entity_id, acs_urls: [c.saml.acs_url], name_id_format: NAMEID_PERSISTENT, certificate: null });
    directory.upsertApp({
      client_id: t.console.client.client_id,
      title: 'XAA Console',
      kind: 'console',
      client_secret: t.console.client.client_secret,
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: t.console.client.redirect_uris,
      post_logout_redirect_uris: [`${t.console.url}/`],
      jwks: null,
      token_exchange: false,
      disabled: false,
      registrations: {},
    });
    directory.upsertApp({
      client_id: t.ops.client_id,
      title: 'Ops automation',
      kind: 'ops',
      client_secret: t.ops.client_secret,
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [],
      post_logout_redirect_uris: [],
      jwks: null,
      token_exchange: false,
      disabled: false,
      registrations: {},
    });
    for (const c of t.connections)
      directory.createConnection({
        id: `conn_${c.client}_${c.server}`,
        client_id: c.client,
        server: c.server,
        scopes: c.scopes,
        audience: c.audience,
        ttl: c.ttl,
        enabled: c.enabled,
      });
  })();
  ensureSignInApps(directory, t);
}

/** Wipe the directory, sessions, tokens and audit; keep keys and settings. */
export function wipe(db: Db): void {
  db.transaction(() => {
    for (const table of [
      'saml_requests',
      'saml_apps',
      'connections',
      'app_registrations',
      'apps',
      'servers',
      'user_groups',
      'users',
      'groups',
      'oidc',
      'audit',
    ])
      db.exec(`DELETE FROM ${table}`);
  })();
}

/**
 * Each sample server's AS signs its users in through this IdP ("Sign in with Acme SSO", an OpenID
 * relying party with its own registration). Added when missing, also to an IdP seeded before it existed.
 */
export function ensureSignInApps(directory: DirectoryStore, t: Topology): void {
  for (const s of t.servers) {
    if (!s.sso || directory.getApp(s.sso.client_id)) continue;
    directory.upsertApp({
      client_id: s.sso.client_id,
      title: `${s.title} (sign-in)`,
      kind: 'sign-in',
      client_secret: s.sso.client_secret,
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [`${s.issuer}/sso/callback`],
      post_logout_redirect_uris: [],
      jwks: null,
      token_exchange: false,
      disabled: false,
      registrations: {},
    });
  }
}

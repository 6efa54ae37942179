/**
 * resource.db: the sample servers' own trust domain (docs/decisions.md §1). One file for the app; every row is
 * keyed by the server name, so each server (and its AS) only ever sees its own rows. Tool data tables
 * are created by the tools modules (see mcp/tool.ts). Migrations are append-only; index + 1 is the
 * schema version.
 */
import type { Migration } from '@xaa/node-kit';

export const migrations: Migration[] = [
  `
  CREATE TABLE secrets (server TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (server, name));

  CREATE TABLE signing_keys (
    server TEXT NOT NULL,
    kid TEXT NOT NULL,
    alg TEXT NOT NULL,
    private_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (server, kid)
  );

  CREATE TABLE settings (server TEXT PRIMARY KEY, json TEXT NOT NULL);

  -- "Configure XAA": the IdPs whose ID-JAGs this AS redeems (EMA §7.4.1). Never published.
  CREATE TABLE trusted_issuers (
    server TEXT NOT NULL,
    issuer TEXT NOT NULL,
    jwks_uri TEXT NOT NULL,
    algorithms TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (server, issuer)
  );

  -- Registered clients (seed, admin API, RFC 7591 registration). CIMD clients are not stored.
  CREATE TABLE clients (
    server TEXT NOT NULL,
    client_id TEXT NOT NULL,
    metadata TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (server, client_id)
  );

  CREATE TABLE users (
    server TEXT NOT NULL,
    id TEXT NOT NULL,
    username TEXT NOT NULL,
    email TEXT,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (server, id),
    UNIQUE (server, username)
  );

  -- Subject mapping: (IdP issuer, subject) -> local user (draft-04 §3.1).
  CREATE TABLE identities (
    server TEXT NOT NULL,
    iss TEXT NOT NULL,
    sub TEXT NOT NULL,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (server, iss, sub),
    FOREIGN KEY (server, user_id) REFERENCES users(server, id) ON DELETE CASCADE
  );

  -- Single-use ID-JAGs (EMA §7.4.2): one row per (iss, jti) until exp.
  CREATE TABLE id_jag_jti (
    server TEXT NOT NULL,
    iss TEXT NOT NULL,
    jti TEXT NOT NULL,
    exp INTEGER NOT NULL,
    used_at INTEGER NOT NULL,
    PRIMARY KEY (server, iss, jti)
  );
  CREATE INDEX id_jag_jti_exp ON id_jag_jti (exp);

  -- oidc-provider models (sessions, interactions, grants, codes, refresh tokens).
  CREATE TABLE oidc (
    server TEXT NOT NULL,
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grant_id TEXT,
    uid TEXT,
    user_code TEXT,
    expires_at INTEGER,
    consumed_at INTEGER,
    PRIMARY KEY (server, model, id)
  );
  CREATE INDEX oidc_grant ON oidc (server, grant_id);
  CREATE INDEX oidc_uid ON oidc (server, uid);
  CREATE INDEX oidc_expires ON oidc (expires_at);
  `,
  // 2: the IdP a local user came from (account linking by email only within one IdP, draft-04 §6.3).
  // Existing users: the issuer of their first linked subject; seeded users not linked yet: the
  // server's first trusted issuer (the topology's IdP, added in the same seed transaction).
  `
  ALTER TABLE users ADD COLUMN issuer TEXT;
  UPDATE users SET issuer = (
    SELECT i.iss FROM identities i WHERE i.server = users.server AND i.user_id = users.id ORDER BY i.created_at, i.iss LIMIT 1
  );
  UPDATE users SET issuer = (
    SELECT t.issuer FROM trusted_issuers t WHERE t.server = users.server ORDER BY t.created_at, t.issuer LIMIT 1
  ) WHERE issuer IS NULL AND source = 'seed';
  `,
];

/**
 * idp.db: the IdP's own trust domain (docs/decisions.md §1). Directory (users, groups, apps, servers,
 * connections), signing keys, oidc-provider's models (sessions, grants, codes, tokens) and the audit
 * trail. Migrations are append-only; index + 1 is the schema version.
 */
import type { Migration } from '@xaa/node-kit';

export const migrations: Migration[] = [
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    -- tokens issued before this second (epoch seconds) are refused: central revocation
    not_before INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE groups (name TEXT PRIMARY KEY, title TEXT NOT NULL);

  CREATE TABLE user_groups (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL REFERENCES groups(name) ON DELETE CASCADE ON UPDATE CASCADE,
    PRIMARY KEY (user_id, group_name)
  );

  CREATE TABLE servers (
    name TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    issuer TEXT NOT NULL UNIQUE,
    resource TEXT NOT NULL,
    scopes TEXT NOT NULL,
    xaa INTEGER NOT NULL DEFAULT 1,
    pairwise_subject INTEGER NOT NULL DEFAULT 0,
    admin_url TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE apps (
    client_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    client_secret TEXT,
    token_endpoint_auth_method TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    jwks TEXT,
    token_exchange INTEGER NOT NULL DEFAULT 1,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE app_registrations (
    client_id TEXT NOT NULL REFERENCES apps(client_id) ON DELETE CASCADE,
    server TEXT NOT NULL REFERENCES servers(name) ON DELETE CASCADE,
    remote_client_id TEXT NOT NULL,
    PRIMARY KEY (client_id, server)
  );

  CREATE TABLE connections (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES apps(client_id) ON DELETE CASCADE,
    server TEXT NOT NULL REFERENCES servers(name) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    audience TEXT NOT NULL,
    ttl INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX connections_client_server ON connections(client_id, server);

  CREATE TABLE keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_jwk TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- set when a newer key takes over; the key stays published until retired_at + overlap
    retired_at INTEGER
  );

  CREATE TABLE oidc (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grant_id TEXT,
    uid TEXT,
    user_code TEXT,
    account_id TEXT,
    expires_at INTEGER,
    consumed_at INTEGER,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX oidc_grant ON oidc(grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX oidc_uid ON oidc(uid) WHERE uid IS NOT NULL;
  CREATE INDEX oidc_user_code ON oidc(user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX oidc_account ON oidc(account_id) WHERE account_id IS NOT NULL;
  CREATE INDEX oidc_expires ON oidc(expires_at);

  CREATE TABLE audit (
    id TEXT PRIMARY KEY,
    time TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    step TEXT NOT NULL,
    outcome TEXT NOT NULL,
    summary TEXT NOT NULL,
    user TEXT,
    client TEXT,
    server TEXT,
    rule TEXT,
    jti TEXT,
    record TEXT NOT NULL
  );
  CREATE INDEX audit_time ON audit(time);
  CREATE INDEX audit_trace ON audit(trace_id);
  `,
  // 2: step-up per connection (draft-04 §9.2): maximum age of the user's sign-in, in seconds.
  'ALTER TABLE connections ADD COLUMN max_auth_age INTEGER',
  // 3: SAML 2.0 (apps/idp/src/saml): the IdP's RSA signing keys with their X.509 certificates, each app's
  // SAML SP registration, and AuthnRequests waiting for the sign-in to finish.
  `
  CREATE TABLE saml_keys (
    id TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    cert_pem TEXT NOT NULL,
    -- the JWT signing key this certificate accompanies: a JWT key rotation rotates it too
    jwt_kid TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
  );
  CREATE TABLE saml_apps (
    client_id TEXT PRIMARY KEY REFERENCES apps(client_id) ON DELETE CASCADE,
    entity_id TEXT NOT NULL UNIQUE,
    acs_urls TEXT NOT NULL,
    name_id_format TEXT NOT NULL,
    certificate TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE saml_requests (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  `,
  // 4: a user's email is unique, case-insensitively (an AS links accounts by verified email). Enforced
  // by triggers for new and changed rows, so a database that already holds two users with one
  // address still opens (an admin resolves those); the index makes the lookup cheap.
  `
  CREATE INDEX users_email_lower ON users(lower(email));
  CREATE TRIGGER users_email_unique_insert BEFORE INSERT ON users
    WHEN EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(NEW.email))
    BEGIN SELECT RAISE(ABORT, 'ERR_EMAIL_TAKEN: another user already has this email'); END;
  CREATE TRIGGER users_email_unique_update BEFORE UPDATE OF email ON users
    WHEN lower(NEW.email) <> lower(OLD.email) AND EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(NEW.email) AND id <> NEW.id)
    BEGIN SELECT RAISE(ABORT, 'ERR_EMAIL_TAKEN: another user already has this email'); END;
  `,
  // 5: sender constraint per connection (RFC 9449; draft-04 §9.8.1.1): the token exchange must carry a DPoP proof.
  'ALTER TABLE connections ADD COLUMN require_dpop INTEGER NOT NULL DEFAULT 0',
  // 6: the audit's time filters go through its id index (an event id begins with the event's time; see
  // AuditLog.search), so the time index goes: one index less to update per row, three rows per token exchange.
  'DROP INDEX IF EXISTS audit_time',
];

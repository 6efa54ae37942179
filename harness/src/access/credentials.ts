/**
 * The credentials the access harness presents to every admin API. All are real IdP output: the ops
 * client's client-credentials token (right audience = valid; another app's audience = wrong
 * audience), a non-admin user's token from a real SSO login, a non-admin client's token, an ID token.
 * The expired token is a real ops token that has outlived its lifetime (full mode waits for it); the
 * quick mode cannot wait ten minutes, so it takes a real ops token's header and claims, moves `iat`
 * and `exp` into the past and signs it with the IdP's own current key read from `idp.db` — same `kid`,
 * same issuer and audience, so the only thing wrong with it is its age.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_SCOPE, GRANT_TYPE_CLIENT_CREDENTIALS } from '@xaa/protocol';
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from 'jose';
import { basic, form, json, send } from '../http.ts';
import { queryAll } from '../sqlite.ts';
import { ssoLogin } from '../sso.ts';
import type { Manifest } from '../stack.ts';
import { idpTokenEndpoint, opsToken } from '../xaa.ts';

export type CredentialKind = 'anonymous' | 'expired' | 'wrong audience' | 'non-admin user' | 'non-admin client' | 'ID token' | 'valid admin';

export interface Credential {
  kind: CredentialKind;
  /** The Authorization header value (none for anonymous). */
  authorization?: string;
  /** How it was obtained (for the report). */
  note: string;
}

export async function opsTokenFor(manifest: Manifest, base: string): Promise<{ token: string; exp: number }> {
  const r = await opsToken(manifest, base);
  if (r.status !== 200) throw new Error(`ops token for ${base}: ${r.status} ${r.body.slice(0, 200)}`);
  const token = json<{ access_token: string }>(r).access_token;
  return { token, exp: Number(decodeJwt(token).exp) };
}

/** A real ops token re-signed with the IdP's current key, `iat`/`exp` moved `ageSeconds` into the past. */
export async function backdated(dataDir: string, token: string, ageSeconds = 3600): Promise<string> {
  const header = decodeProtectedHeader(token);
  const claims = decodeJwt(token);
  const [key] = queryAll<{ private_jwk: string; alg: string }>(join(dataDir, 'idp.db'), 'SELECT private_jwk, alg FROM keys WHERE kid = ?', header.kid);
  if (!key) throw new Error(`key ${header.kid} not found in idp.db`);
  const pk = await importJWK(JSON.parse(key.private_jwk) as JWK, key.alg);
  const lifetime = Number(claims.exp) - Number(claims.iat);
  const iat = Math.floor(Date.now() / 1000) - ageSeconds;
  return new SignJWT({ ...claims, iat, exp: iat + lifetime, ...(claims.nbf ? { nbf: iat } : {}) }).setProtectedHeader(header as never).sign(pk);
}

export interface CredentialSet {
  byBase: Map<string, Credential[]>;
  notes: string[];
  /** Real ops tokens per base, to expire (full mode). */
  expiring: Map<string, { token: string; exp: number }>;
  /** Admin APIs for which the IdP refused a non-admin client an admin token outright. */
  clientRefusedAt: string[];
}

/** Every credential kind for every admin base URL. */
export async function credentialsFor(manifest: Manifest, dataDir: string, bases: string[], expired: 'backdated' | 'wait'): Promise<CredentialSet> {
  const notes: string[] = [];
  const ops = new Map<string, { token: string; exp: number }>();
  for (const b of bases) ops.set(b, await opsTokenFor(manifest, b));
  const agent = manifest.clients.find((c) => c.name === 'acme-agent');
  if (!agent) throw new Error('acme-agent missing from the manifest');
  const alice = manifest.users.find((u) => !u.admin);
  if (!alice) throw new Error('no non-admin user in the manifest');
  const redirect_uri = agent.idp.redirect_uris[0] as string;
  const sso = { client_id: agent.idp.client_id, client_secret: agent.idp.client_secret, redirect_uri };
  const idToken = (await ssoLogin(manifest.idp.issuer, sso, alice.username, alice.password)).id_token;
  const tokenEndpoint = await idpTokenEndpoint(manifest.idp.issuer);
  // The console's own client registration (secrets.json in the data directory; not in the manifest).
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  const consoleClient = { client_id: 'xaa-console', client_secret: secrets['idp:xaa-console'] ?? '', redirect_uri: `${manifest.console.url}/auth/callback` };
  const byBase = new Map<string, Credential[]>();
  const clientRefusedAt: string[] = [];
  for (const [i, base] of bases.entries()) {
    const other = bases[(i + 1) % bases.length] as string;
    const creds: Credential[] = [
      { kind: 'anonymous', note: 'no Authorization header' },
      { kind: 'wrong audience', authorization: `Bearer ${(ops.get(other) as { token: string }).token}`, note: `ops token for ${other}` },
      { kind: 'ID token', authorization: `Bearer ${idToken}`, note: `${alice.username}'s ID token` },
      { kind: 'valid admin', authorization: `Bearer ${(ops.get(base) as { token: string }).token}`, note: 'ops client_credentials token for this API' },
    ];
    if (expired === 'backdated')
      creds.push({
        kind: 'expired',
        authorization: `Bearer ${await backdated(dataDir, (ops.get(base) as { token: string }).token)}`,
        note: 'real ops token, iat/exp an hour back, IdP key',
      });
    // A non-admin user signs in through the console's client (the only app that may hold admin-API
    // tokens for users) asking for the admin scope at this API: the IdP must not grant the scope.
    try {
      const t = await ssoLogin(manifest.idp.issuer, consoleClient, alice.username, alice.password, { scope: `openid ${ADMIN_SCOPE}`, resource: base });
      const claims = t.access_token.split('.').length === 3 ? decodeJwt(t.access_token) : undefined;
      creds.push({
        kind: 'non-admin user',
        authorization: `Bearer ${t.access_token}`,
        note: claims
          ? `${alice.username}'s access token (aud ${String(claims.aud)}, scope "${String(claims.scope ?? '')}")`
          : `${alice.username}'s opaque access token`,
      });
    } catch (e) {
      notes.push(`${base}: ${alice.username}'s login asking for the admin scope failed outright: ${(e as Error).message.slice(0, 160)}`);
    }
    // A non-admin client asks for the admin scope with its own client credentials.
    const cc = await send(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(agent.idp.client_id, agent.idp.client_secret) },
      body: form({ grant_type: GRANT_TYPE_CLIENT_CREDENTIALS, resource: base, scope: ADMIN_SCOPE }),
    });
    if (cc.status === 200)
      creds.push({
        kind: 'non-admin client',
        authorization: `Bearer ${json<{ access_token: string }>(cc).access_token}`,
        note: `${agent.name} client_credentials token`,
      });
    else {
      clientRefusedAt.push(base);
      notes.push(`${base}: the IdP refused ${agent.name} an admin token (${cc.status} ${cc.body.slice(0, 80)})`);
    }
    byBase.set(base, creds);
  }
  return { byBase, notes, expiring: ops, clientRefusedAt };
}

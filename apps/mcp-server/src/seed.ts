/**
 * The seed of one sample server, in one place (docs/decisions.md §3):
 * - clients: every topology app gets its own registration here, `<app>-at-<server>` with the secret
 *   from the topology (client_secret_basic, the MCP SDK's default), allowed the jwt-bearer grant on
 *   ID-JAG servers plus the classic grants; re-synced on every start so playground.json stays true;
 * - trusted IdP: the topology's IdP (issuer + `/jwks`), once — an admin may remove it later;
 * - local users: the topology's users (for the classic login), each with sample tool data. The IdP
 *   subjects are linked to them just in time on the first ID-JAG (by verified email: they came from
 *   the topology's IdP, see map-subject.ts).
 */
import { GRANT_TYPE_CLIENT_CREDENTIALS, GRANT_TYPE_JWT_BEARER } from '@xaa/protocol';
import type { Topology } from '@xaa/topology';
import { defaults } from './config.ts';
import type { ServerRuntime } from './context.ts';

export function seededClientMetadata(topology: Topology, rt: Pick<ServerRuntime, 'def'>) {
  const out: Array<Record<string, unknown>> = [];
  for (const c of topology.clients) {
    const reg = c.servers[rt.def.name];
    if (!reg) continue;
    out.push({
      client_id: reg.client_id,
      client_secret: reg.client_secret,
      client_name: c.title,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [...(rt.def.xaa ? [GRANT_TYPE_JWT_BEARER] : []), GRANT_TYPE_CLIENT_CREDENTIALS, 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [...new Set([...c.idp.redirect_uris, `${topology.agent.url}/callback`])],
    });
  }
  return out;
}

export function seed(rt: ServerRuntime): void {
  const { topology, def, db } = rt;
  db.transaction(() => {
    for (const metadata of seededClientMetadata(topology, rt)) {
      const existing = rt.clients.get(String(metadata.client_id));
      if (!existing || existing.source === 'seed') rt.clients.put(String(metadata.client_id), metadata, 'seed');
    }
    const marker = db.prepare("SELECT value FROM secrets WHERE server = ? AND name = 'seeded'").get(def.name);
    if (marker) return;
    if (def.xaa) rt.trust.add({ issuer: topology.idp.issuer, jwks_uri: `${topology.idp.issuer}/jwks`, algorithms: [...defaults.idJagAlgorithms] });
    for (const u of topology.users)
      if (!rt.users.byUsername(u.username))
        // Seeded users come from the company IdP: XAA (ID-JAG) and the classic path's "Sign in with Acme SSO" link them by iss + sub.
        rt.createUser({ username: u.username, email: u.email, name: u.name, source: 'seed', issuer: def.xaa || def.sso ? topology.idp.issuer : null });
    db.prepare("INSERT INTO secrets (server, name, value) VALUES (?, 'seeded', '1')").run(def.name);
  })();
}

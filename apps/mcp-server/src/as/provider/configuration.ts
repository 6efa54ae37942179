/**
 * oidc-provider configuration of one server's authorization server (issuer = the server's origin).
 *
 * - Classic OAuth (every server; the only path on Wiki): authorization code + PKCE S256 with the AS's
 *   own login and a consent screen (interactions), RFC 7591 registration, Client ID Metadata
 *   Documents, refresh-token rotation with reuse detection (see adapter.ts), RFC 7009 revocation,
 *   RFC 7662 introspection.
 * - RFC 8707 resource indicators: the one resource is this server's MCP endpoint; access tokens are
 *   RFC 9068 JWTs (`typ: at+jwt`, `aud` = resource) signed with the same key the jwt-bearer grant uses.
 * - client_credentials (the benchmark's baseline and service clients).
 * The jwt-bearer grant is registered separately (grants/jwt-bearer.ts) on servers with `xaa: true`.
 */

import { SqliteAdapter } from '@xaa/node-kit/oidc-host';
import { GRANT_PROFILE_ID_JAG } from '@xaa/protocol';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { defaults } from '../../config.ts';
import type { ServerRuntime } from '../../context.ts';
import { persistentSecret } from '../../db/secrets.ts';
import { renderErrorPage } from '../../interactions/views.ts';
import { CLIENT_TOKEN_CLAIMS } from '../../rs/require-bearer.ts';
import type { ClientAdapter } from './clients.ts';

export const ROUTES = {
  authorization: '/authorize',
  token: '/token',
  jwks: '/jwks',
  registration: '/register',
  revocation: '/revoke',
  introspection: '/introspect',
  end_session: '/logout',
  userinfo: '/userinfo',
} as const;

export function configuration(
  rt: Omit<ServerRuntime, 'provider'>,
  clientAdapter: ClientAdapter,
  hooks: { onReuse(model: string, grantId?: string): void },
): Configuration {
  const { def } = rt;
  const resourceScope = def.scopes.join(' ');
  return {
    adapter: (name: string) =>
      name === 'Client' ? clientAdapter : new SqliteAdapter(name, { db: rt.db, server: def.name, nowSeconds: () => rt.nowSeconds(), onReuse: hooks.onReuse }),
    jwks: { keys: [rt.key.privateJwk] } as Configuration['jwks'],
    // Each AS shares the host name with its siblings and the IdP (only the port differs), so its
    // cookies get their own names: browsers do not separate cookies by port.
    cookies: {
      keys: [persistentSecret(rt.db, def.name, 'cookie_key')],
      names: { session: `_${def.name}_session`, interaction: `_${def.name}_interaction`, resume: `_${def.name}_resume` },
    },
    clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], id_token_signed_response_alg: rt.key.alg },
    findAccount: async (_ctx, sub) => {
      const user = rt.users.get(sub);
      if (!user) return undefined;
      return { accountId: user.id, claims: async () => ({ sub: user.id, preferred_username: user.username, name: user.name }) };
    },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
    scopes: ['openid', 'offline_access', 'profile'],
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    pkce: { required: () => true },
    routes: ROUTES,
    ttl: {
      AccessToken: () => rt.settings.get().access_token_ttl,
      ClientCredentials: () => rt.settings.get().access_token_ttl,
      RefreshToken: defaults.refreshTokenTtl,
      Grant: defaults.refreshTokenTtl,
      Session: 24 * 3600,
      AuthorizationCode: defaults.authorizationCodeTtl,
      Interaction: defaults.interactionTtl,
      IdToken: 3600,
      RegistrationAccessToken: defaults.refreshTokenTtl,
    },
    // The classic path's refresh tokens: for every client allowed the grant, always rotated.
    // A client-credentials token names the client as `sub` (RFC 9068 §2.2): marked, so /mcp refuses it.
    // A client's jwks_uri is fetched under the SSRF rules (http(s), no link-local or metadata
    // addresses, resolved address pinned, no redirects, capped): see node-kit outbound.ts.
    fetch: (url, options) => rt.outboundFetch(url, options),
    extraTokenClaims: async (_ctx, token) => (token.kind === 'ClientCredentials' ? { ...CLIENT_TOKEN_CLAIMS } : undefined),
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      registration: { enabled: true, initialAccessToken: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => def.resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: KoaContextWithOIDC, indicator: string) => {
          if (indicator !== def.resource) throw new errors.InvalidTarget(`This authorization server issues tokens only for ${def.resource}.`);
          return {
            scope: resourceScope,
            audience: def.resource,
            accessTokenFormat: 'jwt',
            accessTokenTTL: rt.settings.get().access_token_ttl,
            jwt: { sign: { alg: rt.key.alg, kid: rt.key.kid } },
          };
        },
      },
    },
    discovery: {
      ...(def.xaa ? { authorization_grant_profiles_supported: [GRANT_PROFILE_ID_JAG] } : {}),
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderErrorPage(def.title, String(out.error), out.error_description ? String(out.error_description) : undefined);
    },
  };
}

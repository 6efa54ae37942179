/**
 * oidc-provider configuration: OIDC SSO (code + PKCE S256, refresh tokens with offline_access,
 * RP-initiated logout), discovery with the XAA metadata (draft-04 §7.1), the client-credentials grant,
 * and RFC 8707 resource indicators that yield RFC 9068 JWT access tokens for the admin APIs
 * (docs/decisions.md §2: audience = `<origin>/admin`, scope `xaa:admin` only for IdP admins and the ops client).
 *
 * Apps are first-party: `loadExistingGrant` grants the requested OIDC scopes at once, so the IdP
 * never shows a consent screen (docs/decisions.md §3).
 */

import { listensPrivately, outboundFetch } from '@xaa/node-kit';
import { SqliteAdapter } from '@xaa/node-kit/oidc-host';
import { ADMIN_SCOPE, TOKEN_TYPE_ID_JAG } from '@xaa/protocol';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { errors, interactionPolicy } from 'oidc-provider';
import { defaults } from '../config.ts';
import type { IdpContext } from '../context.ts';
import { persistentSecret } from '../db/settings.ts';
import { dpopMetadata } from '../dpop/exchange-proof.ts';
import { escapeHtml, page } from '../interactions/views.ts';
import { withBridgeClient } from '../saml/bridge.ts';
import { ClientAdapter } from './clients.ts';

/** oidc-provider routes a browser navigates to: their errors are pages. */
const BROWSER_ROUTES = new Set(['authorization', 'resume', 'end_session', 'end_session_confirm', 'end_session_success', 'code_verification', 'device_resume']);

/** Every admin API a token may be requested for (resource indicators), from the topology. */
export function adminResources(idp: Pick<IdpContext, 'adminAudience' | 'topology'>): string[] {
  const t = idp.topology;
  return [...new Set([idp.adminAudience, ...t.servers.map((s) => s.admin), t.agent.admin, t.console.admin])];
}

/**
 * The default prompts, plus one rule for `login`: when the client names the user it expects
 * (`login_hint`, OIDC Core §3.1.2.1) and the browser's IdP session belongs to someone else, ask for
 * a login instead of silently signing in the other person (an agent acting "as bob" must not get
 * carol's ID token because carol's browser had a session).
 */
function interactionPolicyFor(idp: Pick<IdpContext, 'directory'>) {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  login?.checks.add(
    new interactionPolicy.Check('login_hint_other_user', 'the signed-in user is not the one the client asked for', (ctx: KoaContextWithOIDC) => {
      const hint = ctx.oidc.params?.login_hint;
      const accountId = ctx.oidc.session?.accountId;
      if (typeof hint !== 'string' || hint === '' || !accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
      const user = idp.directory.getUser(accountId);
      const same = user !== undefined && (user.username === hint || user.email.toLowerCase() === hint.toLowerCase());
      return same ? interactionPolicy.Check.NO_NEED_TO_PROMPT : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}

export function configuration(idp: IdpContext): Configuration {
  const alg = () => idp.keys.current()?.alg ?? 'ES256';
  const resources = new Set(adminResources(idp));
  // The directory's apps, plus the internal client SAML Web SSO signs in through (../saml/bridge.ts).
  const clientAdapter = withBridgeClient(new ClientAdapter(idp.directory, alg), idp.issuer);

  // A client's jwks_uri is fetched under the SSRF rules (node-kit outbound.ts): loopback and private
  // addresses only when the IdP itself is on one (its issuer host), never link-local or metadata.
  const outbound = outboundFetch({ allowPrivate: listensPrivately(new URL(idp.issuer).hostname), timeoutMs: 2500, maxBytes: 64 * 1024 });

  return {
    fetch: (url, options) => outbound(url, options),
    adapter: (name: string) =>
      name === 'Client' ? clientAdapter : new SqliteAdapter(name, { db: idp.db, nowSeconds: () => Math.floor(idp.now() / 1000), accountColumn: true }),
    jwks: idp.keys.providerJwks() as Configuration['jwks'],
    cookies: { keys: [persistentSecret(idp.db, 'cookie_key')] },
    clientDefaults: { id_token_signed_response_alg: alg(), grant_types: ['authorization_code'], response_types: ['code'] },
    findAccount: async (_ctx, sub) => {
      const user = idp.directory.getUser(sub);
      if (!user || user.disabled) return undefined;
      return {
        accountId: user.id,
        claims: async () => ({
          sub: user.id,
          email: user.email,
          email_verified: true,
          name: user.name,
          preferred_username: user.username,
          groups: user.groups,
        }),
      };
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // docs/decisions.md §4: client_secret_basic, client_secret_post, private_key_jwt; `none` for apps registered public.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    pkce: { required: () => true },
    routes: {
      authorization: '/authorize',
      token: '/token',
      jwks: '/jwks',
      userinfo: '/userinfo',
      end_session: '/logout',
      revocation: '/revoke',
      introspection: '/introspect',
    },
    ttl: {
      AccessToken: defaults.accessTokenTtl,
      ClientCredentials: defaults.accessTokenTtl,
      IdToken: defaults.idTokenTtl,
      RefreshToken: defaults.refreshTokenTtl,
      Session: defaults.sessionTtl,
      Grant: defaults.refreshTokenTtl,
      AuthorizationCode: 60,
      Interaction: 600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: interactionPolicyFor(idp) },
    // First-party apps: grant what was asked at once (no consent screen at the IdP, docs/decisions.md §3). Admin-API
    // scopes are granted only to IdP admins and rejected (not prompted) for everyone else.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { oidc } = ctx;
      const accountId = oidc.session?.accountId;
      const client = oidc.client;
      if (!accountId || !client) return undefined;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(client.clientId);
      const grant = (grantId ? await oidc.provider.Grant.find(grantId) : undefined) ?? new oidc.provider.Grant({ accountId, clientId: client.clientId });
      if (grant.accountId !== accountId) return undefined;
      grant.addOIDCScope([...oidc.requestParamOIDCScopes].join(' ') || 'openid');
      const claims = oidc.requestParamClaims ? [...oidc.requestParamClaims] : [];
      if (claims.length) grant.addOIDCClaims(claims);
      const isAdmin = idp.directory.getUser(accountId)?.admin === true;
      for (const [indicator, server] of Object.entries(oidc.resourceServers ?? {})) {
        const requested = [...oidc.requestParamScopes].filter((s) => server.scopes.has(s));
        const granted = isAdmin ? requested : requested.filter((s) => s !== ADMIN_SCOPE);
        const rejected = requested.filter((s) => !granted.includes(s));
        if (granted.length) grant.addResourceScope(indicator, granted.join(' '));
        if (rejected.length) grant.rejectResourceScope(indicator, rejected.join(' '));
      }
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page(
            'Sign out',
            `<h1>Sign out of Acme Workforce?</h1>${form}<p><button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
             <button type="submit" form="op.logoutForm">No, stay signed in</button></p>`,
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page('Signed out', '<h1>You are signed out of Acme Workforce.</h1>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (ctx, resourceIndicator, client) => {
          if (!resources.has(resourceIndicator)) throw new errors.InvalidTarget(`${resourceIndicator} is not an admin API known to this IdP.`);
          const app = idp.directory.getApp(client.clientId);
          // Only the console and ops clients (and IdP admins through them) may hold admin-API tokens.
          const allowed = app?.kind === 'console' || app?.kind === 'ops';
          if (!allowed) throw new errors.InvalidTarget('This client may not request admin-API access tokens.');
          void ctx;
          return {
            scope: ADMIN_SCOPE,
            audience: resourceIndicator,
            accessTokenFormat: 'jwt',
            accessTokenTTL: defaults.accessTokenTtl,
            jwt: { sign: { alg: alg() } },
          };
        },
      },
    },
    discovery: {
      // draft-04 §7.1 / identity chaining: the IdP advertises the ID-JAG token type.
      identity_chaining_requested_token_types_supported: [TOKEN_TYPE_ID_JAG],
      authorization_response_iss_parameter_supported: true,
      // RFC 9449 §5.1: the token exchange accepts DPoP proofs with these algorithms (draft-04 §9.8.1.1).
      ...dpopMetadata,
    },
    renderError: async (ctx, out) => {
      // oidc-provider renders HTML for any caller that prefers it; the token, introspection, revocation
      // and userinfo endpoints answer JSON whatever Accept says (RFC 6749 §5.2).
      if (!BROWSER_ROUTES.has(String((ctx as KoaContextWithOIDC).oidc?.route ?? ''))) {
        ctx.type = 'json';
        ctx.body = out;
        return;
      }
      ctx.type = 'html';
      ctx.body = page(
        'Error',
        `<h1>Something went wrong</h1><p><code>${escapeHtml(String(out.error))}</code></p>${
          out.error_description ? `<p>${escapeHtml(String(out.error_description))}</p>` : ''
        }`,
      );
    },
  };
}

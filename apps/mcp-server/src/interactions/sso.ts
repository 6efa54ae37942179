/**
 * "Sign in with Acme SSO": the classic path's login at this server's AS goes through the company IdP,
 * as a real SaaS does — the AS is an OpenID relying party of the IdP with its own registration
 * (authorization code + PKCE S256 + state + nonce; openid-client does every check: state, PKCE,
 * nonce, RFC 9207 `iss`, the ID token's signature, `iss`, `aud`, expiry). When the user already has an
 * IdP session the hop is silent. The IdP's `sub` maps to the same local user the jwt-bearer grant
 * uses (../as/redeem/map-subject.ts), and the AS then shows its own consent screen.
 *
 * The local password form stays as a documented fallback (`/interaction/{uid}?local=1`), and is what
 * the AS shows when the IdP cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import type { IdJagClaims } from '@xaa/protocol';
import * as oidc from 'openid-client';
import type { ServerRuntime } from '../context.ts';

export const SSO_CALLBACK_PATH = '/sso/callback';

interface PendingSso {
  uid: string;
  verifier: string;
  nonce: string;
  expires: number;
}

export interface SsoRelyingParty {
  /** The IdP authorization URL for interaction `uid`, or undefined when SSO is not configured or the IdP is unreachable. */
  begin(uid: string): Promise<URL | undefined>;
  /** Validate the authorization response; the pending interaction's uid and the IdP's claims. */
  complete(callback: URL): Promise<{ ok: true; uid: string; claims: IdJagClaims } | { ok: false; uid?: string; code: string; description: string }>;
}

const PENDING_TTL_MS = 10 * 60_000;
const MAX_PENDING = 1000;

export function ssoRelyingParty(rt: ServerRuntime): SsoRelyingParty {
  const registration = rt.def.sso;
  const redirectUri = `${rt.def.issuer}${SSO_CALLBACK_PATH}`;
  const pending = new Map<string, PendingSso>();
  let config: Promise<oidc.Configuration> | undefined;

  const configuration = () => {
    if (!registration) throw new Error('no SSO registration');
    config ??= oidc
      .discovery(
        new URL(rt.topology.idp.issuer),
        registration.client_id,
        { redirect_uris: [redirectUri], response_types: ['code'] },
        oidc.ClientSecretBasic(registration.client_secret),
        {
          ...(new URL(rt.topology.idp.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
          timeout: 5,
        },
      )
      .catch((e: unknown) => {
        config = undefined;
        throw e;
      });
    return config;
  };

  const sweep = (now: number) => {
    for (const [k, v] of pending) if (v.expires <= now) pending.delete(k);
    while (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value as string);
  };

  return {
    async begin(uid) {
      if (!registration) return undefined;
      let c: oidc.Configuration;
      try {
        c = await configuration();
      } catch {
        return undefined;
      }
      const now = rt.nowMs();
      sweep(now);
      const state = randomBytes(24).toString('base64url');
      const verifier = oidc.randomPKCECodeVerifier();
      const nonce = oidc.randomNonce();
      pending.set(state, { uid, verifier, nonce, expires: now + PENDING_TTL_MS });
      return oidc.buildAuthorizationUrl(c, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
    },

    async complete(callback) {
      const state = callback.searchParams.get('state') ?? '';
      const p = pending.get(state);
      pending.delete(state);
      if (!p || p.expires <= rt.nowMs()) return { ok: false, code: 'state_unknown', description: 'This sign-in is unknown or has expired (state).' };
      try {
        const c = await configuration();
        const res = await oidc.authorizationCodeGrant(c, callback, {
          pkceCodeVerifier: p.verifier,
          expectedState: state,
          expectedNonce: p.nonce,
          idTokenExpected: true,
        });
        const claims = res.claims();
        if (!claims) return { ok: false, uid: p.uid, code: 'no_id_token', description: 'The IdP returned no ID token.' };
        // OIDC Core §5.4: with a code flow the email scope's claims come from UserInfo (same sub, checked).
        const info = await oidc.fetchUserInfo(c, res.access_token, claims.sub);
        const profile = {
          ...(typeof info.email === 'string' ? { email: info.email } : {}),
          ...(typeof info.email_verified === 'boolean' ? { email_verified: info.email_verified } : {}),
          ...(typeof info.name === 'string' ? { name: info.name } : {}),
        };
        return { ok: true, uid: p.uid, claims: { ...claims, ...profile } as unknown as IdJagClaims };
      } catch (e) {
        const err = e as { error?: unknown; error_description?: unknown; message?: unknown };
        return {
          ok: false,
          uid: p.uid,
          code: typeof err.error === 'string' ? err.error : 'sso_failed',
          description: typeof err.error_description === 'string' ? err.error_description : String(err.message ?? e),
        };
      }
    },
  };
}

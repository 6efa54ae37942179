/**
 * Leg 3 — the access token: RFC 7523 jwt-bearer grant at the resource AS (draft-04 §4.4), through the
 * MCP SDK's `exchangeJwtAuthGrant`, authenticated with the app's registration *at that AS* (draft-04
 * §5, EMA §5). The request sends no `scope`: the ID-JAG's scope is what the IdP
 * granted, and the AS grants exactly that when none is asked for (docs/decisions.md §4). No refresh token is
 * expected (draft-04 §4.4.3): on expiry the agent runs legs 2 and 3 again with a fresh ID-JAG.
 */
import { type AuthorizationServerMetadata, exchangeJwtAuthGrant, selectClientAuthMethod } from '@modelcontextprotocol/client';
import { decodeUnverified } from '@xaa/protocol';
import type { AppRegistration } from '../config.ts';
import type { FetchLike } from '../http.ts';
import { checkReturnedResource } from './resource-response.ts';

export interface AccessToken {
  accessToken: string;
  tokenType: string;
  scope: string | undefined;
  /** Seconds since the epoch, when the AS said (`expires_in`) or the JWT's `exp`. */
  expiresAt: number | undefined;
  /** `jti` when the token is a JWT (RFC 9068); opaque tokens have none. */
  jti: string | undefined;
}

export type AccessTokenResult = { ok: true; token: AccessToken } | { ok: false; kind: 'refused' | 'error'; code: string; description: string };

export async function redeemIdJag(
  fetch: FetchLike,
  req: {
    asMetadata: AuthorizationServerMetadata;
    registration: AppRegistration;
    idJag: string;
    now: number;
    /** The resources the agent intends the token for (the ID-JAG's `resource`); a returned `resource` must be among them. */
    intendedResources?: readonly string[] | undefined;
  },
): Promise<AccessTokenResult> {
  let lastError: { error?: unknown; error_description?: unknown } | undefined;
  let lastBody: { resource?: unknown } | undefined;
  const capturing: FetchLike = async (url, init) => {
    const res = await fetch(url, init);
    if ((res.headers.get('content-type') ?? '').includes('json')) {
      const body = (await res
        .clone()
        .json()
        .catch(() => undefined)) as (typeof lastError & typeof lastBody) | undefined;
      if (res.ok) lastBody = body;
      else lastError = body;
    }
    return res;
  };
  const authMethod = selectClientAuthMethod(
    { client_id: req.registration.client_id, ...(req.registration.client_secret ? { client_secret: req.registration.client_secret } : {}) },
    req.asMetadata.token_endpoint_auth_methods_supported ?? [],
  );
  try {
    const t = await exchangeJwtAuthGrant({
      tokenEndpoint: req.asMetadata.token_endpoint,
      jwtAuthGrant: req.idJag,
      clientId: req.registration.client_id,
      ...(req.registration.client_secret ? { clientSecret: req.registration.client_secret } : {}),
      authMethod,
      fetchFn: capturing,
    });
    // ID-JAG builds after -04, §4.4.2: a returned `resource` must be a subset of what was intended.
    const problem = req.intendedResources ? checkReturnedResource(lastBody?.resource, req.intendedResources) : undefined;
    if (problem) return { ok: false, kind: 'error', code: 'resource_mismatch', description: `Access token discarded: ${problem}.` };
    const claims = decodeUnverified(t.access_token)?.claims;
    const expiresAt = typeof t.expires_in === 'number' ? req.now + t.expires_in : typeof claims?.exp === 'number' ? claims.exp : undefined;
    return {
      ok: true,
      token: {
        accessToken: t.access_token,
        tokenType: t.token_type,
        scope: t.scope ?? (typeof claims?.scope === 'string' ? claims.scope : undefined),
        expiresAt,
        jti: typeof claims?.jti === 'string' ? claims.jti : undefined,
      },
    };
  } catch (e) {
    if (typeof lastError?.error === 'string') {
      return {
        ok: false,
        kind: 'refused',
        code: lastError.error,
        description: typeof lastError.error_description === 'string' ? lastError.error_description : '',
      };
    }
    return { ok: false, kind: 'error', code: 'jwt_bearer_failed', description: (e as Error).message };
  }
}

/**
 * DPoP for the sample agent (RFC 9449; MCP DPoP profile), as a fetch wrapper around the official SDK
 * path: the SDK's token exchange, jwt-bearer and Streamable-HTTP requests stay as they are, and this
 * layer adds what sender constraint needs.
 *
 *  - Token endpoints (RFC 9449 §5): a POST whose form says `grant_type` = token exchange or jwt-bearer
 *    gets a fresh proof (`htm` POST, `htu` = the endpoint without query), so the IdP binds the ID-JAG
 *    (`cnf.jkt`, draft-04 §9.8.1.1) and the AS binds the access token to the same key.
 *  - Resources (RFC 9449 §7.1): a request carrying `Authorization: Bearer <t>` where `t` is bound to
 *    this key (`cnf.jkt`) is sent as `Authorization: DPoP <t>` with a proof carrying `ath`, on every
 *    request (MCP DPoP profile "Access Token Presentation"). Unbound tokens are left alone.
 *  - Nonces (RFC 9449 §8, §9): a 400 `use_dpop_nonce` or a 401 challenge with `use_dpop_nonce` is
 *    retried once with a new proof carrying the `DPoP-Nonce` value; the last nonce per origin is reused.
 *
 * Keys: one ES256 key pair per signed-in session (and one per sub-agent), kept in client.db with the
 * session and dropped with it (store.ts). What it does not do: keep keys in an HSM or as
 * non-extractable WebCrypto keys — the CLI's commands are separate processes that share client.db.
 */
import { accessTokenHash, decodeUnverified, GRANT_TYPE_JWT_BEARER, GRANT_TYPE_TOKEN_EXCHANGE } from '@xaa/protocol';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { FetchLike } from './http.ts';

export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** RFC 7638 thumbprint: the `cnf.jkt` tokens bound to this key carry. */
  jkt: string;
}

/** A new ES256 key pair (the algorithm every party here supports; RFC 9449 §4.2 asymmetric). */
export async function newDpopKey(): Promise<{ key: DpopKey; privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = await exportJWK(publicKey);
  return { key: { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) }, privateJwk };
}

/** Load a stored key (its private JWK). */
export async function importDpopKey(privateJwk: JWK): Promise<DpopKey> {
  const { d: _d, ...pub } = privateJwk;
  const publicJwk: JWK = { kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y } as JWK;
  const privateKey = (await importJWK(privateJwk, 'ES256')) as CryptoKey;
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** `htu`: the request URI without query and fragment (RFC 9449 §4.2). */
export function htuOf(url: string | URL): string {
  const u = new URL(String(url));
  return `${u.origin}${u.pathname}`;
}

export async function makeProof(key: DpopKey, htm: string, htu: string, extra: { ath?: string; nonce?: string } = {}): Promise<string> {
  return new SignJWT({ htm, htu, ...(extra.ath ? { ath: extra.ath } : {}), ...(extra.nonce ? { nonce: extra.nonce } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.publicJwk })
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .sign(key.privateKey);
}

/** The `cnf.jkt` of a JWT access token, read without verifying (the client only routes by it). */
export function boundTo(token: string): string | undefined {
  const cnf = decodeUnverified(token)?.claims.cnf as { jkt?: unknown } | undefined;
  return typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
}

function formOf(body: RequestInit['body']): URLSearchParams | undefined {
  if (body instanceof URLSearchParams) return body;
  if (typeof body === 'string' && body.includes('grant_type=')) return new URLSearchParams(body);
  return undefined;
}

/** The session's DPoP key: its thumbprint when one exists, and the key itself (created on first need). */
export interface DpopSession {
  /** Bind new tokens (proofs at token endpoints) from the start: `--dpop` or the app's default. */
  bind: boolean;
  /** The thumbprint of the stored key, if there is one (tokens bound to it are presented with proofs). */
  jkt(): string | undefined;
  key(): Promise<DpopKey>;
}

const PRM_PATH = '/.well-known/oauth-protected-resource';

/**
 * Wrap `base` so requests carry proofs of the session's key. Binding starts with `bind`, as soon as
 * a resource's metadata says `dpop_bound_access_tokens_required` (RFC 9728 §2), or when the IdP refuses
 * an exchange without a proof with `invalid_dpop_proof` (a connection that requires DPoP): the
 * playground asks, the agent complies. Stored tokens bound to the key keep being presented with DPoP;
 * tokens bound to another key are left alone (they would fail).
 */
export function dpopFetch(base: FetchLike, session: DpopSession): FetchLike & { boundJkt(): string | undefined } {
  const nonces = new Map<string, string>();
  let bind = session.bind;
  const dpopFetchImpl: FetchLike = async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (!bind && method === 'GET' && new URL(url).pathname.startsWith(PRM_PATH)) {
      const res = await base(input, init);
      const prm = (await res
        .clone()
        .json()
        .catch(() => undefined)) as { dpop_bound_access_tokens_required?: unknown } | undefined;
      if (prm?.dpop_bound_access_tokens_required === true) bind = true;
      return res;
    }
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init.headers).forEach((v, k) => {
      headers.set(k, v);
    });
    const grant = method === 'POST' ? formOf(init.body)?.get('grant_type') : undefined;
    const atTokenEndpoint = bind && (grant === GRANT_TYPE_TOKEN_EXCHANGE || grant === GRANT_TYPE_JWT_BEARER);
    const bearer = /^Bearer (.+)$/i.exec(headers.get('authorization') ?? '')?.[1];
    const stored = session.jkt();
    const presenting = bearer !== undefined && stored !== undefined && boundTo(bearer) === stored ? bearer : undefined;
    if (!atTokenEndpoint && !presenting) {
      const res = await base(input, init);
      // The IdP's connection requires DPoP (RFC 9449 §5: invalid_dpop_proof without a proof): from
      // now on bind, and send this exchange again with a proof.
      if (grant === GRANT_TYPE_TOKEN_EXCHANGE && res.status === 400 && !headers.has('dpop')) {
        const error = await res
          .clone()
          .json()
          .then((b: { error?: unknown }) => b?.error)
          .catch(() => undefined);
        if (error === 'invalid_dpop_proof') {
          bind = true;
          return dpopFetchImpl(input, init);
        }
      }
      return res;
    }

    const key = await session.key();
    const origin = new URL(url).origin;
    const ath = presenting ? await accessTokenHash(presenting) : undefined;
    const send = async (nonce: string | undefined) => {
      const h = new Headers(headers);
      h.set('dpop', await makeProof(key, method, htuOf(url), { ...(ath ? { ath } : {}), ...(nonce ? { nonce } : {}) }));
      if (presenting) h.set('authorization', `DPoP ${presenting}`);
      const res = await base(input instanceof Request ? input.url : input, { ...init, method, headers: h });
      const next = res.headers.get('dpop-nonce');
      if (next) nonces.set(origin, next);
      return res;
    };
    const first = await send(nonces.get(origin));
    const fresh = first.headers.get('dpop-nonce');
    if (!fresh) return first;
    const wantsNonce =
      first.status === 401
        ? /error="?use_dpop_nonce/.test(first.headers.get('www-authenticate') ?? '')
        : first.status === 400 &&
          (await first
            .clone()
            .json()
            .then((b: { error?: unknown }) => b?.error === 'use_dpop_nonce')
            .catch(() => false));
    return wantsNonce ? send(fresh) : first;
  };
  /** The key new tokens are being bound to (its thumbprint), once binding is on. */
  return Object.assign(dpopFetchImpl, { boundJkt: () => (bind ? session.jkt() : undefined) });
}

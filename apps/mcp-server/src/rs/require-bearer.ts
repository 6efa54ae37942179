/**
 * The MCP server's access-token check (MCP-AUTHZ; RFC 6750; RFC 9068; EMA §5.1, §7.5.4). Every
 * request to `/mcp` carries `Authorization: Bearer <JWT>` (or `DPoP <JWT>` with a proof, see
 * dpop-presentation.ts); the token must be an RFC 9068 access token
 * (`typ: at+jwt`) signed with this server's AS key, issued by this AS (`iss`, byte for byte), for this
 * resource (`aud`), unexpired, for a local user that still exists. An ID-JAG, an IdP ID token or
 * another server's token fails here with 401 `invalid_token`, and so does a client-credentials token:
 * its subject is a client (RFC 9068 §2.2), not a user, whatever its `sub` string happens to equal.
 * Scope sufficiency per tool is the
 * SDK's scope challenge (403 `insufficient_scope`, see mcp/handler.ts).
 */
import type { AuthInfo } from '@modelcontextprotocol/server';
import { bearerChallenge, decodeUnverified, protectedResourceMetadataUrl, TYP_ACCESS_TOKEN, TYP_ID_JAG, typIs } from '@xaa/protocol';
import { type JWTPayload, errors as joseErrors } from 'jose';
import type { Context, Next } from 'koa';
import type { ServerRuntime } from '../context.ts';
import { issueNonce } from '../dpop-nonce.ts';
import type { Actor } from '../mcp/tool.ts';
import { checkPresentation, type DpopRequest, dpopChallenge, dpopCheckOf, type Scheme } from './dpop-presentation.ts';
import { type Verified, verifiedAccessToken } from './verified-tokens.ts';

export type BearerFailure = {
  ok: false;
  status: 400 | 401;
  error?: 'invalid_token' | 'invalid_request' | 'invalid_dpop_proof' | 'use_dpop_nonce';
  description: string;
  /** The challenge scheme to answer with (RFC 6750 §3 or RFC 9449 §7.1). */
  scheme?: Scheme;
  code?: string;
};
export type BearerResult = { ok: true; authInfo: AuthInfo; claims: JWTPayload; actor: Actor } | BearerFailure;

/**
 * The claim this AS puts on every client-credentials access token (the grant type, as `gty`), so the
 * MCP server can tell a client's token from a user's even when a client was registered with a
 * `client_id` equal to a local user's id (a `sub` string alone cannot tell them apart).
 */
export const CLIENT_TOKEN_CLAIMS = { gty: 'client_credentials' } as const;

/** RFC 6750 §2.1 / RFC 9449 §7.1: `Bearer <token>` or `DPoP <token>` (token68). */
const CREDENTIALS = /^(Bearer|DPoP)[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;

function describe(e: unknown, rt: ServerRuntime): string {
  if (e instanceof joseErrors.JWTExpired) return 'The access token has expired.';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'typ') return 'The token is not an access token (typ must be at+jwt).';
    if (e.claim === 'aud') return `The access token was not issued for ${rt.def.resource}.`;
    if (e.claim === 'iss') return `The access token was not issued by ${rt.def.issuer}.`;
    if (e.reason === 'missing') return `The access token lacks the ${e.claim} claim.`;
    return `The access token's ${e.claim} claim is not valid.`;
  }
  if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWSSignatureVerificationFailed)
    return `The access token is not signed by ${rt.def.issuer}.`;
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'The access token uses an algorithm this server does not accept.';
  return 'The access token is malformed or not valid.';
}

export async function verifyBearer(
  rt: ServerRuntime,
  authorization: string | undefined,
  dpop: DpopRequest = { proof: undefined, method: 'POST', url: rt.def.resource },
): Promise<BearerResult> {
  if (!authorization) return { ok: false, status: 401, description: 'An access token is required.' };
  const m = CREDENTIALS.exec(authorization.trim());
  if (!m) {
    const named = /^(Bearer|DPoP)\b/i.exec(authorization.trim());
    if (!named) return { ok: false, status: 401, description: 'An access token is required (Bearer or DPoP scheme).' };
    return { ok: false, status: 400, error: 'invalid_request', description: `The Authorization header is not a valid ${named[1]} credential.` };
  }
  const scheme: Scheme = (m[1] as string).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
  const token = m[2] as string;
  let verified: Verified;
  try {
    verified = await verifiedAccessToken(rt, token);
  } catch (e) {
    // The message may say what the token looks like (read unverified, for the message only).
    const typ = decodeUnverified(token)?.header.typ;
    const description =
      typeof typ === 'string' && !typIs(typ, TYP_ACCESS_TOKEN)
        ? `The token is not an access token (typ ${typ})${typIs(typ, TYP_ID_JAG) ? ': an ID-JAG is redeemed at the AS token endpoint, not sent to the MCP server' : ''}.`
        : describe(e, rt);
    return { ok: false, status: 401, error: 'invalid_token', description, scheme };
  }
  const { claims, scopes, jkt } = verified;
  const presentation = await checkPresentation(rt, scheme, token, claims, dpop);
  if (presentation) return presentation;
  // RFC 9068 §4: a single audience value is what this AS issues; anything else was not minted here.
  if (Array.isArray(claims.aud) && claims.aud.length !== 1)
    return { ok: false, status: 401, error: 'invalid_token', description: 'The access token names more than one audience.' };
  if (claims.gty !== undefined || claims.sub === claims.client_id)
    return {
      ok: false,
      status: 401,
      error: 'invalid_token',
      description: 'The access token was issued to a client for itself (client credentials), not for a user.',
    };
  const user = typeof claims.sub === 'string' ? rt.users.get(claims.sub) : undefined;
  if (!user) return { ok: false, status: 401, error: 'invalid_token', description: 'The access token names a user this server does not know.' };
  const clientId = String(claims.client_id);
  const actor: Actor = { userId: user.id, username: user.username, clientId, clientTitle: clientTitle(rt, clientId) };
  const resource = resourceOf(rt);
  const extra: Record<string, unknown> = { actor, jti: claims.jti, sub: claims.sub };
  if (jkt !== undefined) extra.jkt = jkt;
  const authInfo: AuthInfo = {
    token,
    clientId,
    scopes,
    expiresAt: claims.exp as number,
    resource: resource.url,
    resourceMetadataUrl: resource.metadataUrl,
    extra,
  };
  return { ok: true, authInfo, claims, actor };
}

/** This server's resource identifier as a URL and its RFC 9728 metadata URL, computed once per server. */
const resources = new WeakMap<ServerRuntime, { url: URL; metadataUrl: string }>();
function resourceOf(rt: ServerRuntime): { url: URL; metadataUrl: string } {
  let r = resources.get(rt);
  if (!r) {
    r = { url: new URL(rt.def.resource), metadataUrl: protectedResourceMetadataUrl(rt.def.resource) };
    resources.set(rt, r);
  }
  return r;
}

/** The client's display name from this AS's client registry (or its CIMD document), else its id. */
export function clientTitle(rt: ServerRuntime, clientId: string): string {
  const name = rt.clients.get(clientId)?.metadata.client_name ?? rt.cimd.peek(clientId)?.client_name;
  return typeof name === 'string' && name ? name : clientId;
}

/** Koa middleware for `/mcp`: 401/400 with the RFC 6750 / RFC 9728 challenge, else `ctx.state.bearer`. */
export function requireBearer(rt: ServerRuntime) {
  const resourceMetadata = protectedResourceMetadataUrl(rt.def.resource);
  return async function requireBearer(ctx: Context, next: Next) {
    // RFC 9449 §9: with nonces on, every answer hands out a fresh one for the next proof.
    if (rt.settings.get().use_dpop_nonce) {
      ctx.set('DPoP-Nonce', await issueNonce(rt));
      ctx.set('Access-Control-Expose-Headers', 'DPoP-Nonce, WWW-Authenticate');
    }
    const result = await verifyBearer(rt, ctx.get('authorization') || undefined, {
      proof: ctx.get('dpop') || undefined,
      method: ctx.method,
      url: `${ctx.protocol}://${ctx.host}${ctx.path}`,
    });
    if (!result.ok) {
      ctx.status = result.status;
      ctx.set('Cache-Control', 'no-store');
      const params = {
        resource_metadata: resourceMetadata,
        scope: rt.def.scopes.join(' '),
        ...(result.error ? { error: result.error, error_description: result.description } : {}),
      };
      // A DPoP failure, or any failure while this server requires DPoP, is a DPoP challenge (RFC 9449 §7.1).
      const dpopOnly = result.scheme === 'DPoP' || rt.settings.get().dpop_bound_access_tokens_required;
      ctx.set('WWW-Authenticate', dpopOnly ? dpopChallenge(params) : bearerChallenge(params as Parameters<typeof bearerChallenge>[0]));
      ctx.body = { error: result.error ?? 'invalid_token', error_description: result.description };
      // A DPoP refusal names the RFC 9449 check that failed.
      const check = dpopCheckOf(result.code, result.description);
      rt.flowLog.emit({
        traceId: ctx.state.trace.traceId,
        party: rt.party.mcp,
        step: 'mcp.request',
        outcome: 'denied',
        summary: `${ctx.method} /mcp refused (${result.status}): ${result.description}`,
        subject: { server: rt.def.name },
        http: { method: ctx.method, url: `${rt.def.issuer}${ctx.path}`, status: result.status },
        error: {
          code: result.error ?? 'invalid_token',
          description: result.description,
          specRef: check?.specRef ?? (result.scheme === 'DPoP' ? 'RFC 9449 §7.1' : 'RFC 6750 §3.1, MCP-AUTHZ'),
          ...(result.code ? { internal: result.code } : {}),
        },
        ...(check ? { check } : {}),
      });
      return;
    }
    ctx.state.bearer = result;
    await next();
  };
}

/**
 * One jwt-bearer token request (RFC 7523 §2.1, draft-04 §4.4, RFC 7523 §2.1) with the client authentication the
 * case asks for, reduced to what the report may keep: status, error, description and the shape of a
 * success (never the access token itself).
 */
import { GRANT_TYPE_JWT_BEARER } from '@xaa/protocol';
import { basicAuth, type HttpDeps, request } from '../http.ts';
import { plainText, type WireAnswer } from '../report/types.ts';

export type AuthMethod = 'client_secret_basic' | 'client_secret_post';

/**
 * - `default`: the registered credentials with the configured method;
 * - `none`: no client authentication at all;
 * - `wrong-secret`: the right client id with a wrong secret;
 * - `public`: a client id in the body and no secret, as a public client sends (RFC 6749 §2.3.1).
 */
export type ClientAuthMode = 'default' | 'none' | 'wrong-secret' | 'public';

export interface TokenRequest {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  method: AuthMethod;
  auth?: ClientAuthMode;
  /** For `public`: the id to send (default: clientId). */
  publicClientId?: string;
  /** Omit to send no `assertion` parameter. */
  assertion?: string;
  scope?: string;
  resource?: string;
  /** An RFC 9449 proof for the `DPoP` header. */
  dpop?: string;
  /** Receives the access token of a success (for a follow-up request); it never enters the report. */
  onAccessToken?: (accessToken: string) => void;
}

export async function presentAssertion(req: TokenRequest, deps: HttpDeps = {}): Promise<WireAnswer> {
  const body = new URLSearchParams({ grant_type: GRANT_TYPE_JWT_BEARER });
  if (req.assertion !== undefined) body.set('assertion', req.assertion);
  if (req.scope !== undefined) body.set('scope', req.scope);
  if (req.resource !== undefined) body.set('resource', req.resource);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (req.dpop !== undefined) headers.dpop = req.dpop;
  const auth = req.auth ?? 'default';
  if (auth === 'default' || auth === 'wrong-secret') {
    const secret = auth === 'wrong-secret' ? `${req.clientSecret}-wrong` : req.clientSecret;
    if (req.method === 'client_secret_basic') headers.authorization = basicAuth(req.clientId, secret);
    else {
      body.set('client_id', req.clientId);
      body.set('client_secret', secret);
    }
  } else if (auth === 'public') {
    body.set('client_id', req.publicClientId ?? req.clientId);
  }
  try {
    const r = await request(req.tokenEndpoint, { method: 'POST', headers, body }, deps);
    const j = (typeof r.json === 'object' && r.json !== null ? r.json : {}) as Record<string, unknown>;
    const answer: WireAnswer = { status: r.status };
    const cc = r.headers.get('cache-control');
    if (cc) answer.cache_control = cc;
    if (typeof j.error === 'string') answer.error = plainText(j.error).slice(0, 100);
    if (typeof j.error_description === 'string') answer.error_description = plainText(j.error_description).slice(0, 500);
    if (r.status >= 200 && r.status < 300) {
      if (typeof j.token_type === 'string') answer.token_type = plainText(j.token_type).slice(0, 50);
      if (typeof j.scope === 'string') answer.scope = plainText(j.scope).slice(0, 500);
      if (typeof j.expires_in === 'number') answer.expires_in = j.expires_in;
      answer.refresh_token = typeof j.refresh_token === 'string';
      if (typeof j.resource === 'string') answer.resource = plainText(j.resource).slice(0, 2048);
      else if (Array.isArray(j.resource)) answer.resource = j.resource.slice(0, 10).map((x) => (typeof x === 'string' ? plainText(x).slice(0, 2048) : x));
      else if (j.resource !== undefined) answer.resource = j.resource;
      if (typeof j.access_token !== 'string') answer.error_description = 'success without an access_token';
      else req.onAccessToken?.(j.access_token);
    } else if (r.json === undefined) {
      answer.error_description = `non-JSON body: ${plainText(r.text.slice(0, 120))}`;
    }
    return answer;
  } catch (e) {
    return { status: 0, transport_error: (e as Error).message };
  }
}

export const isSuccess = (a: WireAnswer) => a.status >= 200 && a.status < 300 && a.error_description !== 'success without an access_token';

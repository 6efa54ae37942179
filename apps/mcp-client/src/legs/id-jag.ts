/**
 * Leg 2 — the ID-JAG: RFC 8693 token exchange at the IdP (draft-04 §4.3), through the MCP SDK's
 * `requestJwtAuthorizationGrant`. The request carries `audience` = the AS issuer from validated
 * metadata (EMA §4), `resource` = the PRM resource, the ID token as subject
 * token, and the app's IdP registration — never its AS credentials (#54). A public client sends no
 * secret. The SDK checks `issued_token_type` and tolerates any `token_type` (#55).
 *
 * Expected refusals are data, not exceptions: a policy denial (`access_denied`, docs/decisions.md §4) comes back
 * as `{ ok: false, kind: 'denied' }` with the IdP's code and description, which the agent shows as
 * "blocked by your organization" — it never falls back to an interactive consent flow.
 */
import { requestJwtAuthorizationGrant } from '@modelcontextprotocol/client';
import { decodeUnverified, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { DENIAL_CODES, type FetchLike } from '../http.ts';
import { exchangeWithSubject } from './refresh-token-subject.ts';
import { checkReturnedResource } from './resource-response.ts';

export interface IdJagRequest {
  /** The IdP's token endpoint (from its discovery document). */
  tokenEndpoint: string;
  /** The resource AS issuer. */
  audience: string;
  /** The MCP server's RFC 9728 resource identifier. */
  resource: string;
  scope?: string | undefined;
  idToken: string;
  /**
   * Default: an ID token. `…:token-type:refresh_token` for an IdP refresh token as subject
   * (draft-04 §4.5: the SAML path), sent by ./refresh-token-subject.ts since the SDK only sends ID tokens.
   */
  subjectTokenType?: string | undefined;
  /** The app's client_id at the IdP. */
  clientId: string;
  /** Absent for a public client (the conformance scenario's mock IdP authenticates nobody). */
  clientSecret?: string | undefined;
}

export type IdJagResult =
  | { ok: true; idJag: string; scope: string | undefined; expiresIn: number | undefined; jti: string | undefined }
  /** The IdP said no: policy (`access_denied`), no allowed scope (`invalid_scope`), or app not allowed (`unauthorized_client`). */
  | { ok: false; kind: 'denied'; code: string; description: string }
  /** The subject token was refused (`invalid_grant`): the ID token expired or the session ended. */
  | { ok: false; kind: 'subject_token_rejected'; code: string; description: string }
  | { ok: false; kind: 'error'; code: string; description: string };

export async function requestIdJag(fetch: FetchLike, req: IdJagRequest): Promise<IdJagResult> {
  // The SDK reports a refusal as an Error whose text embeds the code; keep the response body instead.
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
  try {
    const exchange =
      req.subjectTokenType && req.subjectTokenType !== TOKEN_TYPE_ID_TOKEN ? exchangeWithSubject(req.subjectTokenType) : requestJwtAuthorizationGrant;
    const r = await exchange({
      tokenEndpoint: req.tokenEndpoint,
      audience: req.audience,
      resource: req.resource,
      idToken: req.idToken,
      clientId: req.clientId,
      ...(req.clientSecret ? { clientSecret: req.clientSecret } : {}),
      ...(req.scope ? { scope: req.scope } : {}),
      fetchFn: capturing,
    });
    // ID-JAG builds after -04, §4.3.4: a returned `resource` must be a non-empty subset of what was asked for.
    const problem = checkReturnedResource(lastBody?.resource, [req.resource]);
    if (problem) return { ok: false, kind: 'error', code: 'resource_mismatch', description: `ID-JAG discarded: ${problem}.` };
    const claims = decodeUnverified(r.jwtAuthGrant)?.claims;
    // RFC 8693 §2.2.1: `scope` may be omitted when identical to the request; the ID-JAG's claim is authoritative.
    const scope = r.scope ?? (typeof claims?.scope === 'string' ? claims.scope : req.scope);
    return { ok: true, idJag: r.jwtAuthGrant, scope, expiresIn: r.expiresIn, jti: typeof claims?.jti === 'string' ? claims.jti : undefined };
  } catch (e) {
    if (typeof lastError?.error === 'string') {
      const code = lastError.error;
      const description = typeof lastError.error_description === 'string' ? lastError.error_description : '';
      if (DENIAL_CODES.has(code)) return { ok: false, kind: 'denied', code, description };
      if (code === 'invalid_grant') return { ok: false, kind: 'subject_token_rejected', code, description };
      return { ok: false, kind: 'error', code, description };
    }
    return { ok: false, kind: 'error', code: 'exchange_failed', description: (e as Error).message };
  }
}

/**
 * The RFC 7523 §2.1 JWT bearer grant for ID-JAGs (draft-04 §4.4; EMA §5): one grant module with the
 * shape every grant has here — `grantType`, `parameters`, `handler`.
 *
 * oidc-provider has already authenticated the client (basic, post or private_key_jwt; a wrong secret
 * is `invalid_client`) and checked the client may use this grant. The handler then refuses public
 * clients (`unauthorized_client`, draft-04 §9.1), runs the ordered ID-JAG checks (redeem/verify-id-jag),
 * resolves the subject (redeem/map-subject) and issues the access token (redeem/issue-access-token).
 * Every step is a flow event: `bearer.request`, one `bearer.check` per check, `bearer.issued`.
 * Errors follow design §4: `invalid_grant` for every assertion failure (RFC 7521 §5.2), naming the
 * failed check unless the AS is in generic-errors mode; `invalid_scope` for escalation;
 * `invalid_target` for a `resource` parameter this AS does not serve.
 */
import { GRANT_TYPE_JWT_BEARER, isOAuthError, type OAuthError, parseScope, redactRecord, type TokenView, tokenView } from '@xaa/protocol';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { type ServerRuntime, traceOf } from '../../../context.ts';
import { dpopBinding, verifyTokenEndpointProof } from '../../redeem/dpop-proof.ts';
import { issueAccessToken } from '../../redeem/issue-access-token.ts';
import { mapSubject } from '../../redeem/map-subject.ts';
import { emitChecks, verifyAssertion } from '../../redeem/verify-id-jag.ts';

export const grantType = GRANT_TYPE_JWT_BEARER;
export const parameters = ['assertion', 'scope', 'resource'];

const GENERIC = 'The assertion was not accepted.';

/** An oidc-provider error with our code and description (its own classes fix some descriptions). */
export function providerError(code: OAuthError['error'], description: string): Error {
  let e: Error & { error_description?: string };
  switch (code) {
    case 'invalid_scope':
      e = new errors.InvalidScope(description, '');
      break;
    case 'invalid_target':
      e = new errors.InvalidTarget(description);
      break;
    case 'invalid_request':
      e = new errors.InvalidRequest(description);
      break;
    case 'unauthorized_client':
      e = new errors.UnauthorizedClient(description);
      break;
    case 'invalid_dpop_proof':
      e = new errors.InvalidDpopProof(description);
      break;
    case 'use_dpop_nonce':
      e = new errors.UseDpopNonce(description);
      break;
    default:
      e = new errors.InvalidGrant();
  }
  e.error_description = description;
  return e;
}

function check(
  rt: ServerRuntime,
  traceId: string,
  ok: boolean,
  id: string,
  title: string,
  specRef: string,
  detail: string,
  subject: { client: string; user?: string },
) {
  rt.flowLog.emit({
    traceId,
    party: rt.party.as,
    step: 'bearer.check',
    outcome: ok ? 'ok' : 'denied',
    summary: `${ok ? '✓' : '✗'} ${title} — ${detail}`,
    subject: { ...subject, server: rt.def.name },
    check: { id, title, specRef, detail },
  });
}

export function handler(rt: ServerRuntime) {
  return async function jwtBearerGrant(ctx: KoaContextWithOIDC): Promise<void> {
    const traceId = traceOf(ctx.req).traceId;
    const client = ctx.oidc.client;
    if (!client) throw new errors.InvalidClient();
    const clientId = client.clientId;
    const params = ctx.oidc.params as Record<string, unknown>;
    const assertion = typeof params.assertion === 'string' && params.assertion !== '' ? params.assertion : undefined;
    const redact = rt.flowLog.redact;
    const tokens: TokenView[] = assertion ? [await tokenView('id_jag', assertion, { redact })] : [];
    const { generic_errors } = rt.settings.get();
    const deny = (code: OAuthError['error'], description: string, internal?: string, specRef?: string) => {
      rt.flowLog.emit({
        traceId,
        party: rt.party.as,
        step: 'bearer.issued',
        outcome: 'denied',
        summary: `No access token for ${clientId}: ${description}`,
        subject: { client: clientId, server: rt.def.name },
        error: { code, description, ...(specRef ? { specRef } : {}), ...(internal ? { internal } : {}) },
      });
      return providerError(code, generic_errors && code !== 'unauthorized_client' && code !== 'invalid_request' ? GENERIC : description);
    };

    rt.flowLog.emit({
      traceId,
      party: rt.party.as,
      step: 'bearer.request',
      outcome: 'ok',
      summary: `${clientId} presents an ID-JAG for ${rt.def.title}`,
      subject: { client: clientId, server: rt.def.name },
      http: {
        method: 'POST',
        url: `${rt.def.issuer}${ctx.path}`,
        request: redactRecord({ grant_type: GRANT_TYPE_JWT_BEARER, client_id: clientId, client_auth: client.clientAuthMethod, ...params }),
      },
      tokens,
    });

    // draft-04 §9.1 / EMA §5: only confidential clients may redeem ID-JAGs.
    if (client.clientAuthMethod === 'none') {
      const detail = `${clientId} is a public client; this grant needs client authentication.`;
      check(rt, traceId, false, 'client_auth', 'Client is confidential and authenticated', 'draft-04 §9.1, EMA §5', detail, { client: clientId });
      throw deny('unauthorized_client', detail, 'ERR_PUBLIC_CLIENT', 'draft-04 §9.1');
    }
    check(
      rt,
      traceId,
      true,
      'client_auth',
      'Client is confidential and authenticated',
      'draft-04 §9.1, EMA §5',
      `authenticated with ${client.clientAuthMethod}`,
      {
        client: clientId,
      },
    );

    if (!assertion) throw deny('invalid_request', 'The assertion parameter is required (RFC 7521 §4.1).', 'ERR_ASSERTION_MISSING', 'RFC 7521 §4.1');
    if (typeof params.resource !== 'undefined' && typeof params.resource !== 'string')
      throw deny('invalid_target', 'Send at most one resource parameter.', 'ERR_REQUEST_RESOURCE_MULTIPLE', 'RFC 8707 §2');
    // scope omitted (or empty) -> the ID-JAG's scopes (design §4).
    const requestedScopes = typeof params.scope === 'string' && params.scope.trim() !== '' ? parseScope(params.scope) : undefined;

    // draft-04 §9.8.1.2: a DPoP proof, when sent, must be valid; a key-bound ID-JAG needs one (the `cnf` check).
    let dpopJkt: string | undefined;
    try {
      dpopJkt = await verifyTokenEndpointProof(rt, { header: ctx.get('dpop') || undefined, setHeader: (n, v) => ctx.set(n, v) });
    } catch (e) {
      if (!isOAuthError(e)) throw e;
      throw deny(e.error, e.error_description, e.code, e.specRef);
    }
    const binding = dpopBinding(rt, dpopJkt);
    if (!binding.ok) throw deny(binding.error, binding.description, binding.code, binding.specRef);
    const result = await verifyAssertion(rt, {
      assertion,
      clientId,
      requestedScopes,
      requestedResource: typeof params.resource === 'string' ? params.resource : undefined,
      dpopJkt,
    });
    emitChecks(rt, traceId, result.checks, { client: clientId });
    if (!result.ok) throw deny(result.error.error, result.error.error_description, result.error.code, result.error.specRef);
    if (result.grantedScopes.length === 0) throw deny('invalid_scope', 'No scope can be granted: the ID-JAG carries none.', 'ERR_SCOPE_EMPTY', 'RFC 6749 §3.3');

    const subject = mapSubject(rt, result.claims);
    if (!subject.ok) {
      check(rt, traceId, false, 'subject', 'Subject maps to a local user', 'draft-04 §3.1, identity chaining §2.4.2', subject.reason, { client: clientId });
      throw deny('invalid_grant', subject.reason, 'ERR_SUBJECT_UNKNOWN', 'identity chaining §2.4.2');
    }
    check(
      rt,
      traceId,
      true,
      'subject',
      'Subject maps to a local user',
      'draft-04 §3.1, identity chaining §2.4.2',
      `${result.claims.sub} → ${subject.user.username}${subject.provisioned === 'existing' ? '' : ` (${subject.provisioned} just in time)`}`,
      { client: clientId, user: subject.user.username },
    );

    const issued = await issueAccessToken(rt, {
      userId: subject.user.id,
      clientId,
      resource: result.resource,
      scopes: result.grantedScopes,
      idp: { iss: result.claims.iss, sub: result.claims.sub },
      ...(typeof result.claims.auth_time === 'number' ? { authTime: result.claims.auth_time } : {}),
      jkt: binding.jkt,
    });
    rt.flowLog.emit({
      traceId,
      party: rt.party.as,
      step: 'bearer.issued',
      outcome: 'ok',
      summary: `Access token for ${subject.user.username} via ${clientId}: ${result.grantedScopes.join(' ')}, expires in ${issued.expires_in}s`,
      subject: { client: clientId, user: subject.user.username, server: rt.def.name },
      tokens: [await tokenView('access_token', issued.access_token, { redact })],
      data: { scope: result.grantedScopes.join(' '), expires_at: issued.claims.exp, jti: issued.claims.jti, id_jag_jti: result.claims.jti },
    });
    // ID-JAG builds after -04, §4.4.2: the token is restricted to this resource (its `aud`), so say which.
    ctx.body = {
      access_token: issued.access_token,
      token_type: binding.token_type,
      expires_in: issued.expires_in,
      scope: result.grantedScopes.join(' '),
      resource: result.resource,
    };
  };
}

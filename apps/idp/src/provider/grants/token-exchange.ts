/**
 * RFC 8693 token exchange for ID-JAGs (draft-04 §4.3, EMA §4), plugged into oidc-provider with
 * `registerGrantType`. oidc-provider has already authenticated the client (client_secret_basic,
 * client_secret_post, private_key_jwt, or `none` for apps registered public), rejected duplicated
 * parameters other than `audience`/`resource`, and checked the scope syntax. The handler runs the
 * issuance steps in order — (verify-dpop-proof) → verify-subject-token → resolve-target → evaluate-policy → mint-id-jag —
 * records one flow event per step outcome, and answers per RFC 8693 §2.2.1 (no refresh token,
 * `token_type: N_A`). Every failure becomes an RFC 6749 §5.2 JSON error (oidc-provider renders it with
 * `Cache-Control: no-store`).
 */
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { TraceStep } from '@xaa/policy';
import {
  DEFAULT_ID_JAG_TTL,
  formatScope,
  GRANT_TYPE_TOKEN_EXCHANGE,
  InvalidRequest,
  isOAuthError,
  type OAuthError,
  parseScope,
  redactRecord,
  ServerError,
  TOKEN_TYPE_ID_JAG,
  TOKEN_TYPE_N_A,
  TOKEN_TYPE_REFRESH_TOKEN,
  tokenView,
  UnauthorizedClient,
} from '@xaa/protocol';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { defaults } from '../../config.ts';
import { type IdpContext, requestTrace } from '../../context.ts';
import { persistentSecret } from '../../db/settings.ts';
import { verifyExchangeProof } from '../../dpop/exchange-proof.ts';
import { afterMint, beforeIssuance } from '../../faults/apply.ts';
import { denialError, evaluatePolicy } from '../../issuance/evaluate-policy.ts';
import { mintIdJagFor } from '../../issuance/mint-id-jag.ts';
import { resolveTarget, TargetRefused } from '../../issuance/resolve-target.ts';
import { verifySubjectToken } from '../../issuance/verify-subject-token.ts';
import { refreshTokenExchange, subjectTokenViews } from './token-exchange-refresh-token.ts';

export const grantType = GRANT_TYPE_TOKEN_EXCHANGE;

/** RFC 8693 §2.1 request parameters (client authentication parameters are added by oidc-provider). */
export const parameters = [
  'audience',
  'resource',
  'scope',
  'requested_token_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'authorization_details',
];

/** RFC 8693 allows several `audience`/`resource` values; we accept the syntax and answer `invalid_target` for more than one. */
export const allowedDuplicateParameters = ['audience', 'resource'];

type Params = Record<string, string | string[] | undefined>;

/** An OAuth error as oidc-provider renders it (RFC 6749 §5.2). */
export function toProviderError(e: OAuthError): Error {
  const err = new errors.OIDCProviderError(e.status, e.error) as Error & { error_description?: string; expose?: boolean };
  err.error_description = e.error_description;
  err.expose = true;
  return err;
}

/**
 * Token-error parameters beyond `error`/`error_description` that oidc-provider's renderer drops:
 * draft-04 §9.2 `max_age` with `insufficient_user_authentication`. host.ts merges them into the body.
 */
export const extraErrorParams = new WeakMap<IncomingMessage, Record<string, unknown>>();

function single(params: Params, name: string): string | undefined {
  const v = params[name];
  if (Array.isArray(v)) throw new InvalidRequest(`The ${name} parameter must not be repeated.`, { code: 'ERR_PARAM_DUPLICATED', specRef: 'RFC 6749 §3.2' });
  if (v !== undefined && v.length > defaults.maxParamLength)
    throw new InvalidRequest(`The ${name} parameter is too long.`, { code: 'ERR_PARAM_TOO_LONG', specRef: 'RFC 6749 §5.2' });
  return v === '' ? undefined : v;
}

function required(params: Params, name: string, specRef: string): string {
  const v = single(params, name);
  if (v === undefined) throw new InvalidRequest(`The ${name} parameter is required.`, { code: 'ERR_PARAM_MISSING', specRef });
  return v;
}

export function handler(idp: IdpContext) {
  return async function tokenExchangeHandler(ctx: KoaContextWithOIDC): Promise<void> {
    const started = performance.now();
    const trace = requestTrace(ctx.req);
    const traceId = trace.traceId;
    const nowSeconds = Math.floor(idp.now() / 1000);
    const client = ctx.oidc.client;
    const clientId = client?.clientId ?? '';
    const params = ctx.oidc.params as Params;
    const http = { method: 'POST', url: `${idp.issuer}/token`, request: redactRecord(params as Record<string, unknown>) };
    const subjectTokenRaw = typeof params.subject_token === 'string' ? params.subject_token : undefined;
    const audienceRaw = typeof params.audience === 'string' ? params.audience : undefined;
    const server = audienceRaw ? idp.directory.listServers().find((s) => s.issuer === audienceRaw)?.name : undefined;
    const subject: { client: string; user?: string; server?: string } = { client: clientId, ...(server ? { server } : {}) };

    idp.flowLog.emit({
      traceId,
      party: 'idp',
      step: 'exchange.request',
      outcome: 'ok',
      summary:
        params.requested_token_type === TOKEN_TYPE_REFRESH_TOKEN
          ? `${clientId} asks for an IdP refresh token for its subject token (draft-04 §4.5)`
          : `${clientId} asks for an ID-JAG for ${audienceRaw ?? '(no audience)'}`,
      subject,
      http,
      ...(subjectTokenRaw && subjectTokenRaw.split('.').length === 3
        ? { tokens: [await tokenView('subject_token', subjectTokenRaw, { redact: idp.flowLog.redact })] }
        : {}),
    });

    let step = 'request';
    let policyTrace: TraceStep[] = [];
    let decided = false;
    try {
      // Design §4: unauthorized_client when this client may not use token exchange at all.
      const app = idp.directory.getApp(clientId);
      if (app?.kind !== 'app' || !app.token_exchange || app.disabled)
        throw new UnauthorizedClient('This client is not allowed to request ID-JAGs by token exchange.', {
          code: 'ERR_CLIENT_NO_TOKEN_EXCHANGE',
          specRef: 'RFC 6749 §5.2',
        });

      // RFC 8693 §2.1 / draft-04 §4.3.1: request shape.
      const requestedType = required(params, 'requested_token_type', 'draft-04 §4.3.1');
      // draft-04 §4.5: a SAML assertion may be traded for an IdP refresh token (../../issuance/issue-refresh-token.ts).
      if (requestedType === TOKEN_TYPE_REFRESH_TOKEN) {
        step = 'issue-refresh-token';
        ctx.body = await refreshTokenExchange(idp, ctx, params, { traceId, nowSeconds, subject, http });
        await idp.auditWritten();
        return;
      }
      if (requestedType !== TOKEN_TYPE_ID_JAG)
        throw new InvalidRequest(`This IdP issues only ${TOKEN_TYPE_ID_JAG} by token exchange.`, {
          code: 'ERR_REQUESTED_TYPE_UNSUPPORTED',
          specRef: 'RFC 8693 §2.2.2',
        });
      const subjectToken = required(params, 'subject_token', 'RFC 8693 §2.1');
      const subjectTokenType = required(params, 'subject_token_type', 'RFC 8693 §2.1');
      const actorToken = single(params, 'actor_token');
      const actorTokenType = single(params, 'actor_token_type');
      if ((actorToken === undefined) !== (actorTokenType === undefined))
        throw new InvalidRequest('actor_token_type is required with actor_token, and only with it.', {
          code: 'ERR_ACTOR_TOKEN_TYPE',
          specRef: 'RFC 8693 §2.1',
        });
      if (single(params, 'authorization_details') !== undefined)
        throw new InvalidRequest('authorization_details is not supported for ID-JAG requests by this IdP.', {
          code: 'ERR_RAR_UNSUPPORTED',
          specRef: 'draft-04 §4.3.1',
        });
      const scopeParam = single(params, 'scope');
      const requestedScopes = scopeParam === undefined ? undefined : parseScope(scopeParam);

      // draft-04 §9.8.1.1: a DPoP proof, when sent, must be valid and binds the ID-JAG (cnf.jkt).
      step = 'verify-dpop-proof';
      const jkt = await verifyExchangeProof(idp, ctx, nowSeconds);

      step = 'verify-subject-token';
      const verified = await verifySubjectToken(
        idp,
        idp.provider(),
        { subject_token: subjectToken, subject_token_type: subjectTokenType, clientId },
        nowSeconds,
      );
      subject.user = verified.user.username;

      step = 'resolve-target';
      const directory = idp.directory.policyDirectory();
      const target = resolveTarget(params, directory);
      policyTrace = target.trace;
      subject.server = target.server.name;
      // Admin-enabled fault switches (apps/idp/src/faults): delay, 500 or access_denied.
      await beforeIssuance(idp, { traceId, client: clientId, server: target.server.name, user: verified.user.username });

      step = 'evaluate-policy';
      const decision = evaluatePolicy(
        {
          userId: verified.user.id,
          clientId,
          audience: target.server.issuer,
          resource: target.resource,
          scopes: requestedScopes,
          authTime: verified.authTime,
          dpopJkt: jkt,
        },
        idp.directory.policyConnections(clientId),
        directory,
        nowSeconds,
      );
      decided = true;
      idp.flowLog.emit({
        traceId,
        party: 'idp',
        step: 'exchange.decision',
        outcome: decision.effect === 'allow' ? 'ok' : 'denied',
        summary:
          decision.effect === 'allow'
            ? `Allowed by ${decision.rule}: ${decision.grantedScopes.join(' ')}${decision.narrowed ? ' (narrowed)' : ''}`
            : `Denied by ${decision.rule} (${decision.code})`,
        subject,
        decision: {
          effect: decision.effect,
          rule: decision.rule,
          reasons: decision.reasons,
          grantedScopes: decision.effect === 'allow' ? decision.grantedScopes : [],
        },
        ...(decision.effect === 'deny'
          ? { error: { code: decision.code, description: decision.description, specRef: 'RFC 8693 §2.2.2, docs/decisions.md §4' } }
          : {}),
        data: { trace: decision.trace, ...(decision.connection ? { connection: decision.connection.id } : {}), subject_token_type: verified.kind },
        ...(verified.saml ? { tokens: subjectTokenViews(verified) } : {}),
      });
      if (decision.effect === 'deny') throw denialError(decision);

      step = 'mint-id-jag';
      const serverRecord = idp.directory.getServer(decision.server.name);
      const ttl = Math.min(Math.max(1, decision.connection.ttl || DEFAULT_ID_JAG_TTL), defaults.idJagMaxTtl);
      const minted = await mintIdJagFor(
        {
          issuer: idp.issuer,
          user: verified.user,
          server: { issuer: decision.server.issuer, pairwise_subject: serverRecord?.pairwise_subject ?? false },
          resource: decision.resource,
          remoteClientId: decision.connection.remote_client_id,
          scopes: decision.grantedScopes,
          ttlSeconds: ttl,
          authTime: verified.authTime,
          nowSeconds,
          pairwiseSecret: persistentSecret(idp.db, 'pairwise_secret'),
          ...(jkt ? { jkt } : {}),
        },
        await idp.keys.signingKey(),
      );
      const { compact, claims } = await afterMint(idp, { traceId, client: clientId, server: decision.server.name, user: verified.user.username }, minted);
      idp.flowLog.emit({
        traceId,
        party: 'idp',
        step: 'exchange.issued',
        outcome: 'ok',
        summary: `ID-JAG for ${verified.user.username} → ${decision.server.title} (${claims.scope ?? ''}), expires in ${ttl}s`,
        subject,
        tokens: [await tokenView('id_jag', compact, { redact: idp.flowLog.redact })],
        http: { ...http, status: 200, durationMs: Math.round((performance.now() - started) * 10) / 10 },
        data: { jti: claims.jti, exp: claims.exp, rule: decision.rule },
      });

      // The ID-JAG leaves only once its audit row is committed (shared with concurrent exchanges).
      await idp.auditWritten();
      // RFC 8693 §2.2.1 / draft-04 §4.3.4: the ID-JAG travels in access_token; no refresh token.
      ctx.body = {
        issued_token_type: TOKEN_TYPE_ID_JAG,
        access_token: compact,
        token_type: TOKEN_TYPE_N_A,
        scope: formatScope(decision.grantedScopes),
        expires_in: ttl,
        // ID-JAG builds after -04, §4.3.4: `resource` names exactly the ID-JAG's resource claim when it has one.
        ...(claims.resource !== undefined ? { resource: claims.resource } : {}),
      };
    } catch (e) {
      const err: OAuthError = isOAuthError(e) ? e : new ServerError('The ID-JAG could not be issued.', { cause: e });
      if (!isOAuthError(e)) console.error('[idp] token exchange failed unexpectedly:', e);
      if (!decided) {
        const rule = e instanceof TargetRefused ? e.rule : `${step}:${err.code}`;
        idp.flowLog.emit({
          traceId,
          party: 'idp',
          step: 'exchange.decision',
          outcome: err.error === 'server_error' ? 'error' : 'denied',
          summary: `Refused at ${step} (${err.error}): ${err.error_description}`,
          subject,
          decision: { effect: 'deny', rule, reasons: [e instanceof TargetRefused ? e.reason : err.error_description], grantedScopes: [] },
          error: { code: err.error, description: err.error_description, internal: err.code, ...(err.specRef ? { specRef: err.specRef } : {}) },
          data: { step, trace: e instanceof TargetRefused ? e.trace : policyTrace },
        });
      }
      const maxAge = (err.detail as { max_age?: unknown } | undefined)?.max_age;
      if (err.error === 'insufficient_user_authentication' && typeof maxAge === 'number') extraErrorParams.set(ctx.req, { max_age: maxAge });
      await idp.auditWritten();
      throw toProviderError(err);
    }
  };
}

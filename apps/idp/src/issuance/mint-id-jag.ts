/**
 * Issuance step `mint-id-jag`: the ID-JAG (draft-04 §3.1) for an allowed decision. `aud` is the AS issuer,
 * `client_id` the client's id at that AS (draft-04 §5 mapping), `resource` the paired resource,
 * `scope` exactly the granted scopes (EMA §7.2.1), `sub` the user's stable id — or a pairwise id
 * per AS when that server is configured so (draft-04 §3.1: the id the IdP would use towards that AS).
 * Signed with the IdP's current key (same `kid` as its ID tokens), header `typ: oauth-id-jag+jwt`.
 * `email` comes with `email_verified` (OIDC Core §5.1), as in the ID token: the directory's addresses
 * are set by IT, and an AS links an existing account by email only when the IdP vouches for it.
 */
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { need } from '@xaa/node-kit/oidc-host';
import {
  buildIdJagClaims,
  DEFAULT_ID_JAG_TTL,
  formatScope,
  type IdJagClaims,
  type JwsHeader,
  jwsHeader,
  type SigningKey,
  signedTokenView,
  signJwtWithHeader,
  TOKEN_TYPE_ID_JAG,
  TOKEN_TYPE_N_A,
  TYP_ID_JAG,
  tokenView,
} from '@xaa/protocol';
import { defaults } from '../config.ts';
import { persistentSecret } from '../db/settings.ts';
import { afterMint } from '../faults/apply.ts';
import type { ExchangeState } from './exchange-state.ts';

export interface MintInput {
  issuer: string;
  user: { id: string; email: string };
  server: { issuer: string; pairwise_subject: boolean };
  resource: string;
  remoteClientId: string;
  scopes: string[];
  ttlSeconds: number;
  authTime: number | undefined;
  nowSeconds: number;
  /** Salt for pairwise subjects (persisted). */
  pairwiseSecret: string;
  /** RFC 7638 thumbprint of a DPoP key the request proved (draft-04 §9.8.1.1): adds `cnf.jkt`. */
  jkt?: string;
  /** RFC 8693 §4.1: the verified actor's subject, as `act.sub`. */
  actorSub?: string;
}

/** A pairwise subject: stable per (user, AS), unlinkable across ASes (OIDC Core §8.1). */
export function pairwiseSubject(secret: string, userId: string, asIssuer: string): string {
  return createHmac('sha256', secret).update(`${asIssuer}\n${userId}`).digest('base64url');
}

export function idJagClaims(input: MintInput): IdJagClaims {
  return buildIdJagClaims({
    issuer: input.issuer,
    subject: input.server.pairwise_subject ? pairwiseSubject(input.pairwiseSecret, input.user.id, input.server.issuer) : input.user.id,
    audience: input.server.issuer,
    clientId: input.remoteClientId,
    resource: input.resource,
    scopes: input.scopes,
    ttlSeconds: input.ttlSeconds,
    now: input.nowSeconds,
    ...(input.authTime !== undefined ? { authTime: input.authTime } : {}),
    email: input.user.email,
    emailVerified: true,
    ...(input.jkt || input.actorSub
      ? { extra: { ...(input.jkt ? { cnf: { jkt: input.jkt } } : {}), ...(input.actorSub ? { act: { sub: input.actorSub } } : {}) } }
      : {}),
  });
}

export async function mintIdJagFor(input: MintInput, key: SigningKey): Promise<{ compact: string; claims: IdJagClaims; header: JwsHeader }> {
  const claims = idJagClaims(input);
  const header = jwsHeader(key, { typ: TYP_ID_JAG });
  return { compact: await signJwtWithHeader(claims, key, header), claims, header };
}

/**
 * The `mint-id-jag` step: the ID-JAG for the allowed decision, the `exchange.issued` event, and the
 * RFC 8693 §2.2.1 / draft-04 §4.3.4 response (the ID-JAG in `access_token`, `token_type: N_A`, no
 * refresh token). The response leaves only once the audit row is committed.
 */
export async function issueIdJag(state: ExchangeState): Promise<void> {
  const { idp } = state;
  const decision = need(state.decision, 'decision');
  const verified = need(state.subjectVerified, 'subject');
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
      nowSeconds: state.nowSeconds,
      pairwiseSecret: persistentSecret(idp.db, 'pairwise_secret'),
      ...(state.jkt ? { jkt: state.jkt } : {}),
      ...(state.actor ? { actorSub: state.actor.sub } : {}),
    },
    await idp.keys.signingKey(),
  );
  const site = { traceId: state.traceId, client: state.client.id, server: decision.server.name, user: verified.user.username };
  const issued = await afterMint(idp, site, minted);
  const { compact, claims } = issued;
  // The token as signed here: its view is built from the header and claims, not decoded back. A fault
  // switch (afterMint) that re-signed it leaves a token whose view is decoded from what was sent.
  const view =
    issued === minted
      ? await signedTokenView('id_jag', compact, { header: minted.header, claims }, { redact: idp.flowLog.redact })
      : await tokenView('id_jag', compact, { redact: idp.flowLog.redact });
  idp.flowLog.emit({
    traceId: state.traceId,
    party: 'idp',
    step: 'exchange.issued',
    outcome: 'ok',
    summary: `ID-JAG for ${verified.user.username} → ${decision.server.title} (${claims.scope ?? ''}), expires in ${ttl}s`,
    subject: state.subject,
    tokens: [view],
    // Object.assign, not `{ ...http, status }`: on Node 20 a spread followed by more properties takes a slow path.
    http: Object.assign({}, state.http, { status: 200, durationMs: Math.round((performance.now() - state.started) * 10) / 10 }),
    data: { jti: claims.jti, exp: claims.exp, rule: decision.rule },
  });
  await idp.auditWritten();
  state.response = {
    issued_token_type: TOKEN_TYPE_ID_JAG,
    access_token: compact,
    token_type: TOKEN_TYPE_N_A,
    scope: formatScope(decision.grantedScopes),
    expires_in: ttl,
    // ID-JAG builds after -04, §4.3.4: `resource` names exactly the ID-JAG's resource claim when it has one.
    ...(claims.resource !== undefined ? { resource: claims.resource } : {}),
  };
}

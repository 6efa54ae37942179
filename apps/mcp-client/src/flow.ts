/**
 * Orchestration of the three legs for one MCP server (style §1.1: leg 1 `sso`, leg 2 `id-jag`,
 * leg 3 `access-token`), used alike by the agent (CLI, console API) and the conformance adapter:
 *
 *   discover (401 → PRM → AS metadata) → [EMA §6: AS lists the id-jag profile?]
 *   → leg 2: token exchange at the IdP → leg 3: jwt-bearer at the AS → MCP session (tools listed)
 *
 * Every step reports a progress line with its timing; every outcome the user should understand
 * (a policy denial, a server that needs the classic flow) is a value, not an exception.
 */
import type { CallToolResult, CrossAppAccessContext, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { computeScopeUnion } from '@modelcontextprotocol/client';
import { decodeUnverified } from '@xaa/protocol';
import type { AppRegistration } from './config.ts';
import { type Discovered, discover } from './discovery.ts';
import type { FetchLike } from './http.ts';
import { type AccessToken, redeemIdJag } from './legs/access-token.ts';
import { type IdJagResult, requestIdJag } from './legs/id-jag.ts';
import { AgentXaaProvider, type Assertion, openSession } from './mcp-session.ts';
import { type ToolInfo, toolInfos } from './outcomes.ts';
import { type ProgressSink, timed } from './progress.ts';

/** Where the subject token of leg 2 comes from: a stored SSO session (refreshable) or a fixed token. */
export interface IdTokenSource {
  current(): Promise<IdTokenResult>;
  /** Renew the ID token (IdP refresh token); called once when the IdP rejects the subject token. */
  refresh(): Promise<IdTokenResult>;
}

export type IdTokenResult =
  /**
   * `idToken` is the subject token; `subjectTokenType` says when it is not an ID token: after a SAML
   * sign-in it is the IdP refresh token the Assertion was exchanged for (draft-04 §4.5).
   */
  | { ok: true; idToken: string; subjectTokenType?: string | undefined }
  | { ok: false; kind: 'no_idp_session' | 'session_ended' | 'error'; code: string; description: string };

export interface IdpClient {
  tokenEndpoint(): Promise<string>;
  clientId: string;
  clientSecret?: string | undefined;
}

export interface LegDeps {
  fetch: FetchLike;
  /** Seconds since the epoch. */
  now(): number;
  progress: ProgressSink;
  /** With DPoP: the thumbprint of the key this session's new tokens are bound to (RFC 9449). */
  dpopBound?: () => string | undefined;
}

export interface ServerTarget {
  name: string;
  url: string;
  /** The app's registration at this server's AS (absent: the app was never registered there). */
  registration: AppRegistration | undefined;
  /** The AS issuer that registration belongs to, when known (credentials go to no other AS). */
  expectedIssuer?: string | undefined;
}

export type Failure = { outcome: 'denied' | 'error'; stage: string; code: string; description: string };

export type XaaConnectResult =
  | {
      outcome: 'ok';
      discovered: Discovered;
      requestedScope: string | undefined;
      idJag: { scope: string | undefined; jti: string | undefined };
      token: AccessToken;
      tools: string[];
      toolList: ToolInfo[];
    }
  | (Failure & { discovered?: Discovered })
  /** EMA §6: the AS does not list the id-jag grant profile; only the classic flow can reach it. */
  | { outcome: 'classic_required'; discovered: Discovered };

const describeIdJag = (r: IdJagResult) =>
  r.ok
    ? { outcome: 'ok' as const, detail: `ID-JAG issued${r.scope ? ` (${r.scope})` : ''}${r.jti ? ` jti ${r.jti.slice(0, 8)}…` : ''}` }
    : { outcome: r.kind === 'denied' ? ('denied' as const) : ('error' as const), detail: `${r.code}${r.description ? ` — ${r.description}` : ''}` };

/** Leg 2, with one ID-token renewal when the IdP rejects the subject token (draft-04 §4.4.3). */
export async function obtainIdJag(
  deps: LegDeps,
  idp: IdpClient,
  idTokens: IdTokenSource,
  target: { name: string; audience: string; resource: string; scope: string | undefined },
): Promise<IdJagResult | Failure> {
  return timed(
    deps.progress,
    'id-jag',
    target.name,
    async (): Promise<IdJagResult | Failure> => {
      let t = await idTokens.current();
      if (!t.ok) return { outcome: t.kind === 'session_ended' ? 'denied' : 'error', stage: 'session', code: t.code, description: t.description };
      const tokenEndpoint = await idp.tokenEndpoint();
      const ask = (idToken: string, subjectTokenType?: string) =>
        requestIdJag(deps.fetch, {
          ...(subjectTokenType ? { subjectTokenType } : {}),
          tokenEndpoint,
          audience: target.audience,
          resource: target.resource,
          scope: target.scope,
          idToken,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
        });
      let r = await ask(t.idToken, t.subjectTokenType);
      if (!r.ok && r.kind === 'subject_token_rejected') {
        t = await idTokens.refresh();
        if (!t.ok) return { outcome: t.kind === 'session_ended' ? 'denied' : 'error', stage: 'session', code: t.code, description: t.description };
        r = await ask(t.idToken, t.subjectTokenType);
      }
      // draft-04 §9.8.1.1: a proof was sent, so the ID-JAG must be bound to this key; an unbound one is a
      // silent downgrade (anyone who copies it can redeem it) and is not used.
      const expected = deps.dpopBound?.();
      if (r.ok && expected !== undefined) {
        const cnf = decodeUnverified(r.idJag)?.claims.cnf as { jkt?: unknown } | undefined;
        if (cnf?.jkt !== expected)
          return {
            outcome: 'error',
            stage: 'id-jag',
            code: 'dpop_downgrade',
            description: `the IdP returned an ID-JAG ${cnf?.jkt ? 'bound to another key' : 'bound to no key (no cnf.jkt)'} although the request proved this session's DPoP key: not used`,
          };
      }
      return r;
    },
    (r) => ('outcome' in r ? { outcome: r.outcome, detail: `${r.code} — ${r.description}` } : describeIdJag(r)),
  );
}

function idJagFailure(r: IdJagResult | Failure): Failure | undefined {
  if ('outcome' in r) return r;
  if (r.ok) return undefined;
  return { outcome: r.kind === 'denied' ? 'denied' : 'error', stage: 'id-jag', code: r.code, description: r.description };
}

/** Legs 2 and 3 for a discovered server: a fresh ID-JAG, then the access token. */
export async function exchangeForAccessToken(
  deps: LegDeps,
  idp: IdpClient,
  idTokens: IdTokenSource,
  target: ServerTarget,
  d: Discovered,
  scope: string | undefined,
): Promise<{ ok: true; token: AccessToken; idJag: { scope: string | undefined; jti: string | undefined } } | Failure> {
  if (!target.registration) {
    return {
      outcome: 'error',
      stage: 'config',
      code: 'no_registration',
      description: `this app has no client registration at ${d.asIssuer} (draft-04 §5: the AS needs its own registration)`,
    };
  }
  if (target.expectedIssuer && target.expectedIssuer !== d.asIssuer) {
    return {
      outcome: 'error',
      stage: 'config',
      code: 'issuer_mismatch',
      description: `the app's credentials belong to ${target.expectedIssuer}, but ${target.url} names ${d.asIssuer} as its AS: not sent (MCP-AUTHZ, SEP-2352)`,
    };
  }
  const r2 = await obtainIdJag(deps, idp, idTokens, { name: target.name, audience: d.asIssuer, resource: d.resource, scope });
  const f2 = idJagFailure(r2);
  if (f2 || !('ok' in r2) || !r2.ok) return f2 as Failure;
  const registration = target.registration;
  const r3 = await timed(
    deps.progress,
    'access-token',
    target.name,
    () => redeemIdJag(deps.fetch, { asMetadata: d.asMetadata, registration, idJag: r2.idJag, now: deps.now(), intendedResources: [d.resource] }),
    (r) =>
      r.ok
        ? {
            outcome: 'ok',
            detail: `${r.token.tokenType} token${r.token.scope ? ` (${r.token.scope})` : ''}${r.token.expiresAt ? `, expires in ${r.token.expiresAt - deps.now()} s` : ''}${r.token.jti ? `, jti ${r.token.jti.slice(0, 8)}…` : ''}`,
          }
        : { outcome: 'error', detail: `${r.code} — ${r.description}` },
  );
  if (!r3.ok) return { outcome: 'error', stage: 'access-token', code: r3.code, description: r3.description };
  return { ok: true, token: r3.token, idJag: { scope: r2.scope, jti: r2.jti } };
}

export function storedTokens(token: AccessToken, now: number): StoredOAuthTokens {
  return {
    access_token: token.accessToken,
    token_type: token.tokenType,
    ...(token.scope ? { scope: token.scope } : {}),
    ...(token.expiresAt ? { expires_in: Math.max(0, token.expiresAt - now) } : {}),
  };
}

/**
 * The provider the MCP session renews its token with. Its assertion callback is leg 2: on a 401 the
 * SDK asks for a fresh ID-JAG for the same audience and resource; on a 403 step-up it passes the
 * union of scopes. A down-scoped (sub-agent) token keeps its fixed scope and never steps up.
 */
export function sessionProvider(
  deps: LegDeps,
  idp: IdpClient,
  idTokens: IdTokenSource,
  target: ServerTarget,
  d: { asIssuer: string; discovered?: Discovered | undefined },
  options: { token: AccessToken; requestedScope: string | undefined; fixedScope: boolean; onRenewed: (t: AccessToken) => void | Promise<void> },
): AgentXaaProvider {
  return new AgentXaaProvider({
    registration: target.registration ?? { client_id: '' },
    asIssuer: target.expectedIssuer ?? d.asIssuer,
    fetch: deps.fetch,
    discovery: async () => {
      const found = d.discovered ?? (await discover(target.url, { fetch: deps.fetch, assumeIdJag: true }));
      if (!found.ok) return undefined;
      return {
        authorizationServerUrl: found.asIssuer,
        authorizationServerMetadata: found.asMetadata,
        resourceMetadata: found.prm,
        ...(found.resourceMetadataUrl ? { resourceMetadataUrl: found.resourceMetadataUrl } : {}),
      };
    },
    initial: storedTokens(options.token, deps.now()),
    assertion: async (ctx: CrossAppAccessContext): Promise<Assertion> => {
      const scope = options.fixedScope ? options.requestedScope : computeScopeUnion(options.requestedScope, ctx.scope);
      const r = await obtainIdJag(deps, idp, idTokens, { name: target.name, audience: ctx.authorizationServerUrl, resource: ctx.resourceUrl, scope });
      const f = idJagFailure(r);
      if (f || !('ok' in r) || !r.ok) throw new LegFailure(f as Failure);
      return { idJag: r.idJag, grantedScope: r.scope };
    },
    onTokens: async (t) => {
      const now = deps.now();
      const claims = decodeUnverified(t.access_token)?.claims;
      const renewed: AccessToken = {
        accessToken: t.access_token,
        tokenType: t.token_type,
        scope: t.scope,
        expiresAt: typeof t.expires_in === 'number' ? now + t.expires_in : typeof claims?.exp === 'number' ? claims.exp : undefined,
        jti: typeof claims?.jti === 'string' ? claims.jti : undefined,
      };
      deps.progress({
        step: 'access-token',
        server: target.name,
        outcome: 'ok',
        detail: `renewed silently (fresh ID-JAG)${renewed.scope ? ` (${renewed.scope})` : ''}${renewed.jti ? `, jti ${renewed.jti.slice(0, 8)}…` : ''}`,
        ms: 0,
      });
      await options.onRenewed(renewed);
    },
  });
}

/** A leg failure raised inside the SDK's auth flow, carried out of it intact. */
export class LegFailure extends Error {
  constructor(readonly failure: Failure) {
    super(`${failure.code}: ${failure.description}`);
    this.name = 'LegFailure';
  }
}

/** Find the LegFailure an SDK error wraps (the transport re-throws the callback's error, maybe as cause). */
export function findLegFailure(e: unknown): LegFailure | undefined {
  for (let cur = e, i = 0; cur && i < 5; cur = (cur as { cause?: unknown }).cause, i++) if (cur instanceof LegFailure) return cur;
  return undefined;
}

/** Connect to one server by XAA: discovery, legs 2 and 3, then an MCP session that lists the tools. */
export async function connectXaa(
  deps: LegDeps,
  idp: IdpClient,
  idTokens: IdTokenSource,
  target: ServerTarget,
  options: { scope?: string | undefined; assumeIdJag?: boolean; fixedScope?: boolean; onRenewed?: (t: AccessToken) => void | Promise<void> } = {},
): Promise<XaaConnectResult> {
  const d = await timed(
    deps.progress,
    'discover',
    target.name,
    () => discover(target.url, { fetch: deps.fetch, assumeIdJag: options.assumeIdJag ?? false }),
    (r) =>
      r.ok
        ? { outcome: 'ok', detail: `401 → ${r.resource} → AS ${r.asIssuer}${r.idJag ? ' (id-jag profile)' : ' (no id-jag profile: classic only)'}` }
        : { outcome: 'error', detail: r.message },
  );
  if (!d.ok) return { outcome: 'error', stage: 'discover', code: d.kind, description: d.message };
  if (!d.idJag) return { outcome: 'classic_required', discovered: d };
  const requestedScope = options.scope ?? (d.prm.scopes_supported?.length ? d.prm.scopes_supported.join(' ') : d.challengeScope);
  const legs = await exchangeForAccessToken(deps, idp, idTokens, target, d, requestedScope);
  if (!('ok' in legs)) return { ...legs, discovered: d };
  let token = legs.token;
  const tools = await timed(
    deps.progress,
    'mcp',
    target.name,
    async () => {
      try {
        const provider = sessionProvider(
          deps,
          idp,
          idTokens,
          target,
          { asIssuer: d.asIssuer, discovered: d },
          {
            token,
            requestedScope,
            fixedScope: options.fixedScope ?? false,
            onRenewed: async (t) => {
              token = t;
              await options.onRenewed?.(t);
            },
          },
        );
        const session = await openSession(target.url, provider, deps.fetch);
        try {
          const list = await session.client.listTools();
          return { ok: true as const, tools: list.tools.map((t) => t.name), toolList: toolInfos(list.tools) };
        } finally {
          await session.close();
        }
      } catch (e) {
        const leg = findLegFailure(e);
        return {
          ok: false as const,
          failure: leg?.failure ?? { outcome: 'error' as const, stage: 'mcp', code: 'mcp_error', description: (e as Error).message },
        };
      }
    },
    (r) =>
      r.ok
        ? { outcome: 'ok', detail: `MCP session: ${r.tools.length} tools (${r.tools.join(', ')})` }
        : { outcome: r.failure.outcome, detail: `${r.failure.code} — ${r.failure.description}` },
  );
  if (!tools.ok) return { ...tools.failure, discovered: d };
  return { outcome: 'ok', discovered: d, requestedScope, idJag: legs.idJag, token, tools: tools.tools, toolList: tools.toolList };
}

export type CallResult = { outcome: 'ok'; result: CallToolResult; token: AccessToken } | Failure;

/** Call one tool with a stored (or just obtained) token; the SDK renews it on 401 and steps up on 403. */
export async function callTool(
  deps: LegDeps,
  idp: IdpClient,
  idTokens: IdTokenSource,
  target: ServerTarget,
  state: { asIssuer: string; token: AccessToken; requestedScope: string | undefined; fixedScope: boolean; onRenewed: (t: AccessToken) => void | Promise<void> },
  call: { tool: string; args: Record<string, unknown> },
): Promise<CallResult> {
  let token = state.token;
  return timed(
    deps.progress,
    'mcp',
    target.name,
    async (): Promise<CallResult> => {
      try {
        const provider = sessionProvider(deps, idp, idTokens, target, state, {
          ...state,
          onRenewed: async (t) => {
            token = t;
            await state.onRenewed(t);
          },
        });
        const session = await openSession(target.url, provider, deps.fetch, { stepUp: !state.fixedScope });
        try {
          const result = (await session.client.callTool({ name: call.tool, arguments: call.args })) as CallToolResult;
          return { outcome: 'ok', result, token };
        } finally {
          await session.close();
        }
      } catch (e) {
        const leg = findLegFailure(e);
        if (leg) return leg.failure;
        const err = e as { status?: unknown; message?: string };
        const denied = err.status === 403 || /insufficient.scope|403/i.test(String(err.message));
        if (denied) {
          // MCP-AUTHZ step-up ran once (union of scopes); what the IdP granted is still not enough.
          return {
            outcome: 'denied',
            stage: 'mcp',
            code: 'insufficient_scope',
            description: state.fixedScope
              ? `${call.tool} needs a scope beyond this down-scoped token ("${token.scope ?? ''}"); a sub-agent token never steps up`
              : `${call.tool} needs a scope this token lacks; one step-up exchange got "${token.scope ?? ''}" — the IdP's policy grants no more`,
          };
        }
        return { outcome: 'error', stage: 'mcp', code: 'mcp_error', description: String(err.message ?? e) };
      }
    },
    (r) =>
      r.outcome === 'ok'
        ? { outcome: r.result.isError ? 'error' : 'ok', detail: `tools/call ${call.tool}${r.result.isError ? ' returned an error' : ' ok'}` }
        : { outcome: r.outcome, detail: `${r.code} — ${r.description}` },
  );
}

/**
 * `runAsScorecard(options) → report`: discover the AS (RFC 8414), get real ID-JAGs for the test
 * subject from the playground IdP (signed with its current key, mutated where a case says so),
 * forge the ones the IdP must not sign, present each to the AS's token endpoint, and grade the
 * answers. Used by `xaa test-as`, the console's backend and the test suite.
 */
import type { AuthorizationServerMetadata } from '@xaa/protocol';
import type { JWK } from 'jose';
import { type HttpDeps, ScorecardError } from '../http.ts';
import { type IdpAccess, IdpAdmin, type MintMutation, type MintRequest } from '../idp.ts';
import { buildReport, type CaseResult, formatAnswer, type ScorecardReport, type WireAnswer } from '../report/types.ts';
import { AS_CASES, type AsCase, type AsCaseContext, type AsTarget, type Verdict } from './cases.ts';
import { discoverAuthorizationServer, discoverResource } from './discovery.ts';
import { generateAttackerKey } from './forge.ts';
import { type RogueIdp, startRogueIdp } from './rogue-idp.ts';
import { type AuthMethod, presentAssertion } from './token-request.ts';

export interface AsScorecardOptions extends HttpDeps {
  /** The AS issuer under test, exactly as it publishes it. */
  issuer: string;
  /** The MCP resource identifier it serves (RFC 9728 `resource`). */
  resource: string;
  /** The test client's registration at the AS. */
  clientId: string;
  clientSecret: string;
  /** Default: from the AS metadata (basic preferred). */
  authMethod?: AuthMethod;
  /** Scopes the valid ID-JAG grants. Default: the resource's PRM `scopes_supported`, else the AS's. */
  scopes?: string[];
  /** IdP username of the test subject (default `alice`). */
  user?: string;
  /** Another client registered at the AS, for the client_id binding case (default: a made-up id). */
  otherClientId?: string;
  /** A resource the AS does not serve (default: a made-up one). */
  otherResource?: string;
  /** A public client registered at the AS, if there is one. */
  publicClientId?: string;
  /** Send the RFC 8707 `resource` parameter (default true, as MCP clients do). */
  sendResource?: boolean;
  /** The playground IdP: how to reach its admin API. */
  idp: IdpAccess | IdpAdmin;
  /** Run only cases whose id equals or starts with one of these (the valid case always runs). */
  cases?: string[];
  /** Start the loopback rogue IdP for the untrusted-issuer case (default true). */
  rogueIdp?: boolean;
  /** Called after each case (progress output). */
  onCase?: (result: CaseResult) => void;
}

const DEFAULT_OTHER_CLIENT = 'scorecard-other-client';
const DEFAULT_OTHER_RESOURCE = 'https://other-mcp.scorecard.invalid/mcp';

export function selectCases(filter: readonly string[] | undefined): AsCase[] {
  if (!filter || filter.length === 0) return [...AS_CASES];
  const hit = (id: string) => filter.some((f) => id === f || id.startsWith(f.endsWith('.') ? f : `${f}.`) || id.startsWith(f));
  return AS_CASES.filter((c) => c.kind === 'baseline' || hit(c.id));
}

function pickAuthMethod(md: AuthorizationServerMetadata): AuthMethod {
  const supported = md.token_endpoint_auth_methods_supported;
  if (!Array.isArray(supported) || supported.includes('client_secret_basic')) return 'client_secret_basic';
  if (supported.includes('client_secret_post')) return 'client_secret_post';
  return 'client_secret_basic';
}

function caseResult(c: AsCase, target: AsTarget, v: Verdict, durationMs: number): CaseResult {
  let outcome: CaseResult['outcome'] = v.outcome;
  if (outcome === 'fail' && c.level === 'should') outcome = 'warn';
  return {
    id: c.id,
    title: c.title,
    group: c.group,
    level: c.level,
    outcome,
    mutated: typeof c.mutated === 'function' ? c.mutated(target) : c.mutated,
    expected: c.expected,
    answered: v.answers.length ? v.answers.map(formatAnswer).join(' → ') : '(no request)',
    answers: v.answers,
    ...(v.reason ? { reason: v.reason } : {}),
    why: c.why,
    specRef: c.specRef,
    durationMs: Math.round(durationMs),
  };
}

export async function runAsScorecard(options: AsScorecardOptions): Promise<ScorecardReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const deps: HttpDeps = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
  const idp = options.idp instanceof IdpAdmin ? options.idp : new IdpAdmin({ ...deps, ...options.idp });
  const notes: string[] = [];
  const results: CaseResult[] = [];
  const emit = (r: CaseResult) => {
    results.push(r);
    options.onCase?.(r);
  };
  const reportTarget = (extra: Record<string, unknown> = {}) => ({
    issuer: options.issuer,
    resource: options.resource,
    client_id: options.clientId,
    idp: idp.issuer,
    user: options.user ?? 'alice',
    ...extra,
  });
  const finish = (extra: Record<string, unknown> = {}): ScorecardReport =>
    buildReport({
      kind: 'as',
      title: `AS scorecard for ${options.issuer}`,
      target: reportTarget(extra),
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      cases: results,
      notes,
    });

  // RFC 8414: the token endpoint comes from the AS's own metadata, never from a guess.
  const d0 = performance.now();
  let metadata: AuthorizationServerMetadata;
  try {
    const found = await discoverAuthorizationServer(options.issuer, deps);
    metadata = found.metadata;
    notes.push(`token endpoint ${metadata.token_endpoint} (from ${found.url})`);
  } catch (e) {
    emit({
      id: 'metadata.discovery',
      title: 'RFC 8414 metadata is published with an identical issuer',
      group: 'metadata',
      level: 'must',
      outcome: 'fail',
      mutated: 'nothing (GET the well-known metadata)',
      expected: 'a metadata document whose issuer is byte-identical, with a token_endpoint',
      answered: (e as Error).message,
      reason: (e as Error).message,
      why: 'Clients find the token endpoint from the metadata and must discard a document whose issuer differs; nothing else can run without it.',
      specRef: 'RFC 8414 §3, §3.3, MCP-AUTHZ authorization server discovery',
      durationMs: Math.round(performance.now() - d0),
    });
    return finish();
  }

  let scopes = options.scopes;
  if (!scopes) {
    const prm = await discoverResource(options.resource, deps);
    const fromPrm = Array.isArray(prm?.scopes_supported) ? (prm.scopes_supported as string[]) : undefined;
    const fromAs = Array.isArray(metadata.scopes_supported)
      ? (metadata.scopes_supported as string[]).filter((s) => !['openid', 'offline_access'].includes(s))
      : undefined;
    scopes = fromPrm ?? fromAs ?? [];
    notes.push(
      scopes.length ? `scopes ${scopes.join(' ')} (from ${fromPrm ? 'the resource metadata' : 'the AS metadata'})` : 'no scopes known: the ID-JAGs carry none',
    );
  }

  const target: AsTarget = {
    issuer: options.issuer,
    resource: options.resource,
    tokenEndpoint: metadata.token_endpoint,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    authMethod: options.authMethod ?? pickAuthMethod(metadata),
    scopes,
    user: options.user ?? 'alice',
    otherClientId: options.otherClientId ?? DEFAULT_OTHER_CLIENT,
    otherResource: options.otherResource ?? DEFAULT_OTHER_RESOURCE,
    ...(options.publicClientId ? { publicClientId: options.publicClientId } : {}),
    sendResource: options.sendResource ?? true,
  };

  let idpKeys: JWK[];
  try {
    idpKeys = (await idp.jwks()).keys;
    await idp.adminToken();
  } catch (e) {
    throw new ScorecardError(`Cannot use the IdP at ${idp.issuer}: ${(e as Error).message}`, (e as ScorecardError).code ?? 'ERR_IDP');
  }

  const attacker = await generateAttackerKey();
  let rogue: RogueIdp | undefined;
  if (options.rogueIdp !== false) rogue = await startRogueIdp(attacker);
  try {
    const base: MintRequest = {
      audience: target.issuer,
      client_id: target.clientId,
      resource: target.resource,
      user: target.user,
      ...(target.scopes.length ? { scope: target.scopes.join(' ') } : {}),
    };
    const errorAnswers: WireAnswer[] = [];
    const ctx: AsCaseContext = {
      target,
      metadata,
      attacker,
      rogue,
      baseline: undefined,
      http: deps,
      idpKey: (kid) => idpKeys.find((k) => k.kid === kid),
      mint: async (mutation?: MintMutation, over?: Partial<MintRequest>) => (await idp.mint({ ...base, ...over, ...(mutation ? { mutation } : {}) })).assertion,
      present: async (assertion, over = {}) => {
        const a = await presentAssertion(
          {
            tokenEndpoint: target.tokenEndpoint,
            clientId: target.clientId,
            clientSecret: target.clientSecret,
            method: target.authMethod,
            ...(target.sendResource ? { resource: target.resource } : {}),
            ...(assertion !== undefined ? { assertion } : {}),
            ...over,
          },
          deps,
        );
        if (a.status >= 400) errorAnswers.push(a);
        return a;
      },
    };

    for (const c of selectCases(options.cases)) {
      const c0 = performance.now();
      let v: Verdict;
      try {
        v = await c.run(ctx);
      } catch (e) {
        v = { outcome: 'error', reason: `The case could not run: ${(e as Error).message}`, answers: [] };
      }
      // A rejection only counts when the same grant, unbroken, is accepted.
      if ((c.kind ?? 'attack') === 'attack' && v.outcome === 'pass' && ctx.baseline?.status !== 200)
        v = { ...v, outcome: 'error', reason: 'The valid ID-JAG was refused too, so this rejection proves nothing.' };
      emit(caseResult(c, target, v, performance.now() - c0));
    }

    if (errorAnswers.length > 0) {
      const cacheable = errorAnswers.filter((a) => !/\bno-store\b/i.test(a.cache_control ?? ''));
      emit({
        id: 'errors.no-store',
        title: 'Error responses are not cacheable',
        group: 'response',
        level: 'should',
        outcome: cacheable.length === 0 ? 'pass' : 'warn',
        mutated: 'nothing (reads every error response of this run)',
        expected: 'Cache-Control: no-store on every token-endpoint error',
        answered: `${errorAnswers.length - cacheable.length} of ${errorAnswers.length} error responses carried no-store`,
        ...(cacheable.length ? { reason: `${cacheable.length} error responses could be cached.` } : {}),
        why: 'Token-endpoint answers must never be served from a cache.',
        specRef: 'RFC 6749 §5.1, §5.2',
        durationMs: 0,
      });
    }
    return finish({ token_endpoint: target.tokenEndpoint, auth_method: target.authMethod, scopes: target.scopes.join(' ') });
  } finally {
    await rogue?.close();
  }
}

/**
 * The shape of an AS scorecard case (what it changes, what it expects, why, the clause, and how it
 * runs against the AS under test), the context a case runs in, and the verdict helpers the case
 * tables (cases.ts, dpop-cases.ts) share.
 */
import type { AuthorizationServerMetadata } from '@xaa/protocol';
import type { JWK } from 'jose';
import type { HttpDeps } from '../http.ts';
import type { MintMutation, MintRequest } from '../idp.ts';
import type { CaseLevel, WireAnswer } from '../report/types.ts';
import type { AttackerKey } from './forge.ts';
import type { RogueIdp } from './rogue-idp.ts';
import { type AuthMethod, isSuccess, type TokenRequest } from './token-request.ts';

export interface AsTarget {
  /** The AS issuer under test (the ID-JAG `aud`). */
  issuer: string;
  /** The MCP resource it serves (the ID-JAG `resource`). */
  resource: string;
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  authMethod: AuthMethod;
  /** Scopes the valid ID-JAG grants. */
  scopes: string[];
  /** IdP username of the test subject. */
  user: string;
  /** Another client registered at the AS (for the client_id binding case). */
  otherClientId: string;
  /** A resource this AS does not serve. */
  otherResource: string;
  /** A public client registered at the AS, if any. */
  publicClientId?: string;
  /** Send the RFC 8707 `resource` parameter on jwt-bearer requests (MCP clients do). */
  sendResource: boolean;
}

export interface AsCaseContext {
  target: AsTarget;
  metadata: AuthorizationServerMetadata;
  /** A real ID-JAG from the IdP for the test subject, with the mutation applied before signing. */
  mint(mutation?: MintMutation, over?: Partial<MintRequest>): Promise<string>;
  /** The IdP's published key for a kid (for the algorithm-confusion case). */
  idpKey(kid: string): JWK | undefined;
  attacker: AttackerKey;
  rogue: RogueIdp | undefined;
  present(assertion: string | undefined, over?: Partial<Omit<TokenRequest, 'assertion' | 'tokenEndpoint'>>): Promise<WireAnswer>;
  /** The valid case's answer, once it ran. */
  baseline: WireAnswer | undefined;
  /** Transport options for requests a case makes itself (the MCP resource, for DPoP presentation). */
  http: HttpDeps;
}

export interface Verdict {
  outcome: 'pass' | 'fail' | 'error' | 'skip';
  reason?: string;
  answers: WireAnswer[];
}

export interface AsCase {
  id: string;
  title: string;
  group: string;
  level: CaseLevel;
  mutated: string | ((t: AsTarget) => string);
  expected: string;
  why: string;
  specRef: string;
  /** Cases judged from the valid case's answer do not need it to have succeeded first. */
  kind?: 'baseline' | 'derived' | 'attack' | 'metadata';
  run(ctx: AsCaseContext): Promise<Verdict>;
}

/** An answer in a few words, for a verdict's reason. */
export function describe(a: WireAnswer): string {
  if (a.transport_error) return `no answer (${a.transport_error})`;
  if (isSuccess(a)) return `${a.status} with an access token`;
  return `${a.status} ${a.error ?? '(no error code)'}`;
}

/** The AS must refuse with one of `errors` (RFC 6749 §5.2: 400, except invalid_client which may be 401). */
export function expectRejection(a: WireAnswer, errors: readonly string[]): Verdict {
  if (a.transport_error) return { outcome: 'error', reason: `The AS did not answer: ${a.transport_error}`, answers: [a] };
  if (a.status >= 200 && a.status < 300) return { outcome: 'fail', reason: 'The AS accepted it and issued an access token.', answers: [a] };
  if (a.status >= 500) return { outcome: 'fail', reason: `The AS failed with ${a.status} instead of refusing with ${errors.join(' or ')}.`, answers: [a] };
  if (!a.error || !errors.includes(a.error))
    return { outcome: 'fail', reason: `The AS refused, but with ${describe(a)}; expected ${errors.join(' or ')}.`, answers: [a] };
  const statuses = a.error === 'invalid_client' ? [400, 401] : [400];
  if (!statuses.includes(a.status))
    return { outcome: 'fail', reason: `Right error code, wrong HTTP status ${a.status} (RFC 6749 §5.2: ${statuses.join(' or ')}).`, answers: [a] };
  return { outcome: 'pass', answers: [a] };
}

/** A case whose ID-JAG the IdP mints with `mutation` applied, which the AS must refuse with invalid_grant. */
export const invalidGrant = (
  title: string,
  id: string,
  group: string,
  mutated: string,
  mutation: MintMutation,
  why: string,
  specRef: string,
  level: CaseLevel = 'must',
): AsCase => ({
  id,
  title,
  group,
  level,
  mutated,
  expected: '400 invalid_grant',
  why,
  specRef,
  run: async (ctx) => expectRejection(await ctx.present(await ctx.mint(mutation)), ['invalid_grant']),
});

export function narrowScope(t: AsTarget): string {
  return t.scopes[0] ?? 'scorecard.read';
}

export function wideScope(t: AsTarget): string {
  const extra = t.scopes.length > 1 ? t.scopes.slice(1) : ['scorecard.escalated'];
  return [narrowScope(t), ...extra].join(' ');
}

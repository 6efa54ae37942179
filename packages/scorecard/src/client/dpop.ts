/**
 * Grading a client's DPoP (RFC 9449; MCP DPoP profile) when the playground asks for it: every XAA
 * server is switched to `dpop_bound_access_tokens_required` (RFC 9728 §2: its PRM says so, its AS
 * refuses unbound grants, its MCP endpoint refuses Bearer), the client runs once, and the IdP's, the
 * ASes' and the MCP servers' flow events tell whether it sent correct proofs: a bound ID-JAG (cnf.jkt),
 * a DPoP-bound access token for the same key, and MCP calls whose proofs every check accepted. A
 * refused proof is reported with the RFC 9449 check it failed.
 */
import type { FlowEvent } from '@xaa/protocol';
import type { IdpAdmin } from '../idp.ts';
import type { CaseLevel, CaseResult } from '../report/types.ts';
import type { RunResult } from './command.ts';
import type { Directory } from './observe.ts';

interface Check {
  id: string;
  title: string;
  level: CaseLevel;
  expected: string;
  why: string;
  specRef: string;
}

export const DPOP_CHECKS = {
  exchange: {
    id: 'dpop.exchange-proof',
    title: 'The token exchange carries a DPoP proof (the ID-JAG is key-bound)',
    level: 'should',
    expected: 'every ID-JAG of the run has cnf.jkt; no invalid_dpop_proof from the IdP',
    why: 'A proof at the IdP binds the ID-JAG itself, so a copied ID-JAG cannot be redeemed by anyone else.',
    specRef: 'draft-04 §9.8.1.1, RFC 9449 §4',
  },
  token: {
    id: 'dpop.token-proof',
    title: 'The jwt-bearer request carries a valid proof and gets a DPoP-bound access token',
    level: 'must',
    expected: 'every access token of the run has cnf.jkt; no refusal for a missing or bad proof',
    why: 'The servers require DPoP-bound tokens: without a proof the AS refuses the grant, and a bad proof is refused too.',
    specRef: 'RFC 9449 §5, draft-04 §9.8.1.2, RFC 9728 §2',
  },
  sameKey: {
    id: 'dpop.same-key',
    title: 'One key from the ID-JAG to the access token',
    level: 'should',
    expected: 'the access token’s cnf.jkt = the ID-JAG’s cnf.jkt',
    why: 'The binding is only end to end when every leg proves the same key.',
    specRef: 'draft-04 §9.8.1.2.1, MCP DPoP profile',
  },
  mcp: {
    id: 'dpop.mcp-proof',
    title: 'MCP calls use Authorization: DPoP with a proof every check accepts',
    level: 'must',
    expected: 'MCP calls succeed with a verified proof (htm, htu, iat, jti, ath, key = cnf.jkt); none refused',
    why: 'A DPoP-bound token is refused as Bearer; each request needs a fresh proof for that method and URL, tied to the token by ath.',
    specRef: 'RFC 9449 §7.1, §4.3, MCP DPoP profile "Access Token Presentation"',
  },
} as const satisfies Record<string, Check>;

/** Switch every XAA server to require DPoP-bound tokens; returns the undo. */
export async function askForDpop(idp: IdpAdmin, dir: Directory): Promise<() => Promise<void>> {
  const changed: string[] = [];
  for (const s of dir.servers.filter((x) => x.xaa && x.admin_url)) {
    const base = s.admin_url as string;
    let current: { dpop_bound_access_tokens_required?: boolean };
    try {
      current = (await idp.callAdmin(base, 'GET', '/settings')) as typeof current;
    } catch {
      continue; // not running: the client cannot reach it either
    }
    if (current.dpop_bound_access_tokens_required === true) continue;
    await idp.callAdmin(base, 'PATCH', '/settings', { dpop_bound_access_tokens_required: true });
    changed.push(base);
  }
  return async () => {
    for (const base of changed) await idp.callAdmin(base, 'PATCH', '/settings', { dpop_bound_access_tokens_required: false }).catch(() => {});
  };
}

const jktOf = (claims: Record<string, unknown> | undefined) => {
  const cnf = claims?.cnf as { jkt?: unknown } | undefined;
  return typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
};

function result(c: Check, outcome: 'pass' | 'fail' | 'error', answered: string, reason?: string): CaseResult {
  return {
    id: c.id,
    title: c.title,
    group: 'dpop',
    level: c.level,
    outcome: outcome === 'fail' && c.level === 'should' ? 'warn' : outcome,
    mutated: 'every XAA server requires DPoP-bound access tokens (dpop_bound_access_tokens_required)',
    expected: c.expected,
    answered,
    ...(reason ? { reason } : {}),
    why: c.why,
    specRef: c.specRef,
    durationMs: 0,
  };
}

export function gradeDpop(obs: { run: RunResult; events: readonly FlowEvent[] }, dir: Directory, client: string | undefined): CaseResult[] {
  const app = dir.apps.find((a) => a.client_id === client);
  const ids = new Set([client ?? '', ...Object.values(app?.registrations ?? {})]);
  const jags: Array<string | undefined> = [];
  const idpRefusals: string[] = [];
  const tokens: Array<string | undefined> = [];
  const asRefusals: string[] = [];
  const calls: Array<string | undefined> = [];
  const mcpRefusals: string[] = [];
  for (const e of obs.events) {
    const c = e.subject?.client ?? '';
    if (e.party === 'idp') {
      if (e.step === 'exchange.issued' && c === client) jags.push(jktOf(e.tokens?.find((t) => t.role === 'id_jag')?.claims));
      if (e.step === 'exchange.decision' && e.outcome !== 'ok' && c === client && /dpop/i.test(`${e.error?.code} ${e.decision?.rule}`))
        idpRefusals.push(`${e.error?.code ?? ''}: ${e.error?.description ?? e.summary}`);
    } else if (e.party.startsWith('as:') && e.step === 'bearer.issued' && ids.has(c)) {
      if (e.outcome === 'ok') tokens.push(jktOf(e.tokens?.find((t) => t.role === 'access_token')?.claims));
      else asRefusals.push(`${e.error?.code ?? ''}: ${e.error?.description ?? e.summary}`);
    } else if (e.party.startsWith('mcp:')) {
      if (e.step === 'mcp.response') calls.push((e.data?.dpop as { jkt?: string } | undefined)?.jkt);
      else if (e.step === 'mcp.request' && e.outcome !== 'ok' && (e.check?.id.startsWith('dpop.') || /dpop/i.test(e.error?.code ?? '')))
        mcpRefusals.push(`${e.check ? `${e.check.title} (${e.check.specRef})` : (e.error?.code ?? '')}: ${e.error?.description ?? e.summary}`);
    }
  }
  const out: CaseResult[] = [];
  const count = (xs: Array<string | undefined>) => `${xs.filter(Boolean).length} of ${xs.length} bound`;

  if (jags.length === 0) out.push(result(DPOP_CHECKS.exchange, 'error', 'no ID-JAG issued in this run', 'Nothing to grade: the run made no token exchange.'));
  else {
    const unbound = jags.filter((j) => !j).length;
    out.push(
      result(
        DPOP_CHECKS.exchange,
        unbound === 0 && idpRefusals.length === 0 ? 'pass' : 'fail',
        `ID-JAGs: ${count(jags)}${idpRefusals.length ? `; IdP refused ${idpRefusals.length}` : ''}`,
        unbound || idpRefusals.length
          ? [unbound ? `${unbound} ID-JAG(s) without cnf: no proof at the IdP.` : '', ...idpRefusals].filter(Boolean).join(' ')
          : undefined,
      ),
    );
  }

  if (tokens.length === 0 && asRefusals.length === 0)
    out.push(result(DPOP_CHECKS.token, 'error', 'no jwt-bearer request seen', 'Nothing to grade: the run made no jwt-bearer request.'));
  else {
    const unbound = tokens.filter((t) => !t).length;
    out.push(
      result(
        DPOP_CHECKS.token,
        unbound === 0 && asRefusals.length === 0 && tokens.length > 0 ? 'pass' : 'fail',
        `access tokens: ${count(tokens)}${asRefusals.length ? `; refused ${asRefusals.length}` : ''}`,
        unbound || asRefusals.length || tokens.length === 0
          ? [unbound ? `${unbound} access token(s) not DPoP-bound.` : '', ...asRefusals.slice(0, 3)].filter(Boolean).join(' ')
          : undefined,
      ),
    );
  }

  const pairs = Math.min(jags.length, tokens.length);
  if (pairs === 0 || jags.some((j) => !j) || tokens.some((t) => !t))
    out.push(
      result(
        DPOP_CHECKS.sameKey,
        'error',
        'no pair of bound ID-JAG and access token',
        'Nothing to compare: an ID-JAG or access token of the run is not bound.',
      ),
    );
  else {
    const tokenKeys = new Set(tokens);
    const foreign = jags.filter((j) => !tokenKeys.has(j));
    out.push(
      result(
        DPOP_CHECKS.sameKey,
        foreign.length === 0 ? 'pass' : 'fail',
        `${new Set(jags).size} key(s) at the IdP, ${tokenKeys.size} at the AS`,
        foreign.length ? 'An access token is bound to another key than its ID-JAG.' : undefined,
      ),
    );
  }

  if (calls.length === 0 && mcpRefusals.length === 0)
    out.push(result(DPOP_CHECKS.mcp, 'error', 'no MCP call reached a tool', 'Nothing to grade: no MCP call got past the token check.'));
  else {
    const unproven = calls.filter((c) => !c).length;
    out.push(
      result(
        DPOP_CHECKS.mcp,
        unproven === 0 && mcpRefusals.length === 0 && calls.length > 0 ? 'pass' : 'fail',
        `${calls.length} call(s), ${calls.length - unproven} with a verified proof${mcpRefusals.length ? `; ${mcpRefusals.length} refused` : ''}`,
        unproven || mcpRefusals.length
          ? [unproven ? `${unproven} call(s) without a proof.` : '', ...mcpRefusals.slice(0, 3)].filter(Boolean).join(' ')
          : undefined,
      ),
    );
  }
  return out;
}

/** Pure helpers for the live view: swimlanes, token lineage and claim diffs of one trace. */
import type { FlowEvent, TokenView } from '@xaa/protocol';

export const LANES = [
  { id: 'idp', title: 'IdP' },
  { id: 'client', title: 'Client' },
  { id: 'as', title: 'Authorization server' },
  { id: 'mcp', title: 'MCP server' },
] as const;
export type LaneId = (typeof LANES)[number]['id'];

export function laneOf(party: string): LaneId {
  if (party.startsWith('as:')) return 'as';
  if (party.startsWith('mcp:')) return 'mcp';
  if (party === 'client') return 'client';
  return 'idp';
}

/** Steps that belong to one hop, labelled like the legs in the client. */
export function legOf(step: string): 'SSO' | 'ID-JAG' | 'Access token' | 'MCP' | 'Admin' | 'Classic OAuth' {
  if (step.startsWith('sso.')) return 'SSO';
  if (step.startsWith('exchange.')) return 'ID-JAG';
  if (step.startsWith('bearer.')) return 'Access token';
  if (step.startsWith('mcp.')) return 'MCP';
  if (step.startsWith('classic.')) return 'Classic OAuth';
  return 'Admin';
}

export interface ClaimChange {
  claim: string;
  kind: 'added' | 'removed' | 'changed' | 'same';
  before?: unknown;
  after?: unknown;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Claim-by-claim difference between two tokens (time claims included, so lifetimes show). */
export function diffClaims(before: Record<string, unknown>, after: Record<string, unknown>): ClaimChange[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.map((claim) => {
    const inB = claim in before;
    const inA = claim in after;
    if (inB && !inA) return { claim, kind: 'removed', before: before[claim] };
    if (!inB && inA) return { claim, kind: 'added', after: after[claim] };
    return { claim, kind: same(before[claim], after[claim]) ? 'same' : 'changed', before: before[claim], after: after[claim] };
  });
}

export interface LineageHop {
  role: 'id_token' | 'id_jag' | 'access_token' | 'tool_call';
  title: string;
  eventId: string;
  party: string;
  token?: TokenView;
  /** For tool calls: the tool name and outcome. */
  call?: { name: string; outcome: FlowEvent['outcome']; summary: string };
  changes?: ClaimChange[];
  /**
   * The DPoP key along the lineage (RFC 9449): the token's `cnf.jkt`, or for a tool call the thumbprint
   * of the key its proof was verified with. Undefined for a bearer hop.
   */
  jkt?: string;
}

const ROLE_TITLES = { id_token: 'ID token', id_jag: 'ID-JAG', access_token: 'Access token', tool_call: 'Tool call' } as const;
const issuedRole = (t: TokenView) => {
  const r = t.role.toLowerCase();
  if (r === 'id_token' || r === 'subject_token') return 'id_token';
  if (r === 'id_jag' || r === 'id-jag' || r === 'assertion') return 'id_jag';
  if (r === 'access_token') return 'access_token';
  return undefined;
};

/** The key an MCP server verified a call's DPoP proof with (`data.dpop.jkt`), if any. */
function proofKeyOf(e: FlowEvent): { jkt?: string } {
  const jkt = (e.data?.dpop as { jkt?: unknown } | undefined)?.jkt;
  return typeof jkt === 'string' ? { jkt } : {};
}

/**
 * Token lineage of one trace: ID token → ID-JAG → access token → tool calls, each hop with the
 * claims that changed since the previous token. A token is taken once (by hash), at its first sight.
 */
export function lineage(events: readonly FlowEvent[]): LineageHop[] {
  const hops: LineageHop[] = [];
  const seen = new Set<string>();
  const byRole: Partial<Record<'id_token' | 'id_jag' | 'access_token', LineageHop>> = {};
  for (const e of events) {
    for (const t of e.tokens ?? []) {
      const role = issuedRole(t);
      if (!role) continue;
      const key = t.hash ?? `${role}:${JSON.stringify(t.claims)}`;
      if (seen.has(key) || byRole[role]) continue;
      seen.add(key);
      const cnf = t.claims.cnf as { jkt?: unknown } | undefined;
      const hop: LineageHop = {
        role,
        title: ROLE_TITLES[role],
        eventId: e.id,
        party: e.party,
        token: t,
        ...(typeof cnf?.jkt === 'string' ? { jkt: cnf.jkt } : {}),
      };
      byRole[role] = hop;
      hops.push(hop);
    }
    // A tool call is an MCP server event naming the tool (the server emits it after running or refusing the call).
    const tool = e.data?.tool;
    if ((e.step === 'mcp.request' || e.step === 'mcp.response') && typeof tool === 'string' && e.party.startsWith('mcp:')) {
      hops.push({
        role: 'tool_call',
        title: ROLE_TITLES.tool_call,
        eventId: e.id,
        party: e.party,
        call: { name: tool, outcome: e.outcome, summary: e.summary },
        ...proofKeyOf(e),
      });
    }
  }
  const order = ['id_token', 'id_jag', 'access_token', 'tool_call'] as const;
  hops.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
  let previous: TokenView | undefined;
  for (const hop of hops) {
    if (!hop.token) continue;
    if (previous) hop.changes = diffClaims(previous.claims, hop.token.claims);
    previous = hop.token;
  }
  return hops;
}

/**
 * The event that explains a trace's failure: the last denied/error event that carries a reason (a
 * check, a decision or an error). A failure the trace recovered from — the same step succeeding later
 * (at that party or as the client saw it), like the MCP server's first 401 that starts discovery
 * (RFC 9728 §5) — is not the explanation.
 */
export function failureOf(events: readonly FlowEvent[]): FlowEvent | undefined {
  const standing = events.filter((e, i) => e.outcome !== 'ok' && !events.slice(i + 1).some((x) => x.outcome === 'ok' && x.step === e.step));
  // The party that decided (a policy decision, a failed check) explains best; then whoever reported an error.
  const decided = standing.filter((e) => e.check || e.decision);
  const explained = standing.filter((e) => e.error);
  return decided[decided.length - 1] ?? explained[explained.length - 1] ?? standing[standing.length - 1];
}

/** Which way a step's arrow points in the sequence diagram. */
export interface Arrow {
  from: LaneId;
  to: LaneId;
  /** `call`: a request to the recording party; `reply`: what it sent back; `round-trip`: the client's own record of a request and its response; `self`: work inside one party. */
  kind: 'call' | 'reply' | 'round-trip' | 'self';
}

const CALLS = new Set(['sso.authorize', 'sso.login', 'exchange.request', 'bearer.request', 'mcp.request', 'discovery', 'classic.authorize']);
const REPLIES = new Set(['sso.token', 'exchange.issued', 'bearer.issued', 'mcp.response', 'classic.token']);

/** The party a client-side step talks to: the IdP for SSO and token exchange, the AS for jwt-bearer and the classic flow, else the MCP server. */
function counterpartOf(step: string): LaneId | undefined {
  if (step.startsWith('sso.') || step.startsWith('exchange.')) return 'idp';
  if (step.startsWith('bearer.') || step.startsWith('classic.')) return 'as';
  if (step.startsWith('mcp.') || step === 'discovery') return 'mcp';
  return undefined;
}

/**
 * The arrow of one event. A server records what it received (an arrow from the client) or what it
 * sent back (an arrow to the client); the client records each request once its response is in, so
 * its arrows point both ways. Decisions, checks and admin changes stay inside their party.
 */
export function arrowOf(e: FlowEvent): Arrow {
  const lane = laneOf(e.party);
  if (lane === 'client') {
    const to = counterpartOf(e.step);
    return to ? { from: 'client', to, kind: 'round-trip' } : { from: 'client', to: 'client', kind: 'self' };
  }
  if (CALLS.has(e.step)) return { from: 'client', to: lane, kind: 'call' };
  if (REPLIES.has(e.step)) return { from: lane, to: 'client', kind: 'reply' };
  return { from: lane, to: lane, kind: 'self' };
}

const TOKEN_LABEL: Record<string, string> = { id_token: 'ID token', id_jag: 'ID-JAG', access_token: 'access token', subject_token: 'ID token' };

/** A few words under an arrow: the tokens it carries, the tool, the decision or the HTTP status. */
export function captionOf(e: FlowEvent): string {
  const parts: string[] = [];
  const tokens = [...new Set((e.tokens ?? []).map((t) => TOKEN_LABEL[t.role.toLowerCase()] ?? t.role))];
  if (tokens.length) parts.push(tokens.join(' + '));
  if (typeof e.data?.tool === 'string') parts.push(e.data.tool);
  if (e.decision) parts.push(`${e.decision.effect} · ${e.decision.rule}`);
  if (e.error) parts.push(e.error.code);
  else if (e.http?.status && e.http.status >= 400) parts.push(`HTTP ${e.http.status}`);
  return parts.join(' · ');
}

/** A row of the sequence diagram: one event, or a run of the same check-like step inside one party. */
export type SequenceRow = { kind: 'event'; event: FlowEvent } | { kind: 'group'; key: string; step: string; party: string; events: FlowEvent[] };

/**
 * Rows of a trace in time order. Three or more consecutive passing `self` steps of the same party
 * and name (the AS's one-event-per-check `bearer.check`s) fold into one row; a failing check always
 * stands on its own row, so the reason is never folded away.
 */
export function sequenceRows(events: readonly FlowEvent[], minRun = 3): SequenceRow[] {
  const rows: SequenceRow[] = [];
  let run: FlowEvent[] = [];
  const flush = () => {
    if (run.length >= minRun) {
      const first = run[0] as FlowEvent;
      rows.push({ kind: 'group', key: `group-${first.id}`, step: first.step, party: first.party, events: run });
    } else for (const event of run) rows.push({ kind: 'event', event });
    run = [];
  };
  for (const e of events) {
    const foldable = e.outcome === 'ok' && arrowOf(e).kind === 'self';
    const prev = run[run.length - 1];
    if (foldable && prev && prev.step === e.step && prev.party === e.party) {
      run.push(e);
      continue;
    }
    flush();
    if (foldable) run.push(e);
    else rows.push({ kind: 'event', event: e });
  }
  flush();
  return rows;
}

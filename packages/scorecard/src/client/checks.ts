/**
 * Grading a client from what the IdP and the resource ASes recorded (flow events, docs/decisions.md §5):
 * the token-exchange parameters (RFC 8693 / draft-04 §4.3.1 / EMA §4), client authentication at the
 * right party (draft-04 §5: two registrations, never mixed), a fresh ID-JAG per jwt-bearer request
 * (EMA §7.4.2), the bearer in the Authorization header (RFC 6750 §2.1, MCP-AUTHZ), and — per fault
 * switch — whether the client refuses or surfaces a bad answer without looping.
 */
import { type FlowEvent, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN, TOKEN_TYPE_REFRESH_TOKEN, TOKEN_TYPE_SAML2 } from '@xaa/protocol';
import type { FaultKind } from '../idp.ts';
import type { CaseLevel, CaseResult } from '../report/types.ts';
import type { RunResult } from './command.ts';
import type { Directory, ServerInfo } from './observe.ts';

export interface Observation {
  run: RunResult;
  events: FlowEvent[];
}

type Verdict = { outcome: 'pass' | 'fail' | 'error' | 'skip'; answered: string; reason?: string };

interface ClientCheck {
  id: string;
  title: string;
  group: string;
  level: CaseLevel;
  expected: string;
  why: string;
  specRef: string;
}

/** The facts the checks use, pulled out of the events once. */
export interface Facts {
  exchanges: Array<{ client: string; server: string | undefined; params: Record<string, unknown> }>;
  exchangeRefusals: Array<{ client: string; rule: string; code: string }>;
  issued: Array<{ client: string; server: string | undefined; jti?: string; aud?: unknown; clientIdClaim?: unknown }>;
  faultsFired: Array<{ kind: string; server: string | undefined }>;
  bearer: Array<{ server: string; client: string; authMethod?: string; jti?: string; aud?: unknown }>;
  bearerDenied: Array<{ server: string; client: string; code: string; description: string }>;
  bearerOk: Array<{ server: string; client: string; time: string }>;
  mcpDenied: Array<{ server: string; time: string; description: string }>;
  mcpOk: Array<{ server: string; time: string }>;
}

const serverOfParty = (party: string) => (party.startsWith('as:') || party.startsWith('mcp:') ? party.slice(party.indexOf(':') + 1) : undefined);

export function extractFacts(events: readonly FlowEvent[], dir: Directory, client?: string): Facts {
  const f: Facts = { exchanges: [], exchangeRefusals: [], issued: [], faultsFired: [], bearer: [], bearerDenied: [], bearerOk: [], mcpDenied: [], mcpOk: [] };
  const mine = (c: string | undefined) => client === undefined || c === client;
  for (const e of events) {
    const c = e.subject?.client ?? '';
    if (e.party === 'idp') {
      if (e.step === 'exchange.request' && mine(c))
        f.exchanges.push({ client: c, server: e.subject?.server, params: (e.http?.request ?? {}) as Record<string, unknown> });
      // A failed client authentication may not name a known client: count it unless it names another app.
      else if (
        e.step === 'exchange.decision' &&
        e.outcome !== 'ok' &&
        (mine(c) || (e.error?.code === 'invalid_client' && !dir.apps.some((a) => a.client_id === c)))
      )
        f.exchangeRefusals.push({ client: c, rule: e.decision?.rule ?? '', code: e.error?.code ?? '' });
      else if (e.step === 'exchange.issued' && mine(c)) {
        const jag = e.tokens?.find((t) => t.role === 'id_jag');
        f.issued.push({
          client: c,
          server: e.subject?.server,
          ...(typeof jag?.claims.jti === 'string' ? { jti: jag.claims.jti } : {}),
          aud: jag?.claims.aud,
          clientIdClaim: jag?.claims.client_id,
        });
      } else if (e.step === 'fault.injected' && mine(c)) f.faultsFired.push({ kind: String(e.data?.fault ?? e.error?.code ?? ''), server: e.subject?.server });
      continue;
    }
    const server = e.subject?.server ?? serverOfParty(e.party) ?? '';
    if (e.party.startsWith('as:')) {
      if (e.step === 'bearer.request') {
        const jag = e.tokens?.find((t) => t.role === 'id_jag');
        const req = (e.http?.request ?? {}) as Record<string, unknown>;
        f.bearer.push({
          server,
          client: c,
          ...(typeof req.client_auth === 'string' ? { authMethod: req.client_auth } : {}),
          ...(typeof jag?.claims.jti === 'string' ? { jti: jag.claims.jti } : {}),
          aud: jag?.claims.aud,
        });
      } else if (e.step === 'bearer.issued') {
        if (e.outcome === 'ok') f.bearerOk.push({ server, client: c, time: e.time });
        else f.bearerDenied.push({ server, client: c, code: e.error?.code ?? '', description: e.error?.description ?? e.summary });
      }
    } else if (e.party.startsWith('mcp:')) {
      if (e.step === 'mcp.request' && e.outcome !== 'ok') f.mcpDenied.push({ server, time: e.time, description: e.error?.description ?? e.summary });
      else if (e.step === 'mcp.response' || (e.step === 'mcp.request' && e.outcome === 'ok')) f.mcpOk.push({ server, time: e.time });
    }
  }
  // AS-side events belong to this client when they name one of its registrations (or, mixed up, its IdP id).
  if (client !== undefined) {
    const app = dir.apps.find((a) => a.client_id === client);
    const ids = new Set([client, ...Object.values(app?.registrations ?? {}), ...f.issued.map((i) => String(i.clientIdClaim ?? ''))]);
    f.bearer = f.bearer.filter((b) => ids.has(b.client));
    f.bearerDenied = f.bearerDenied.filter((b) => ids.has(b.client) || b.client === '');
    f.bearerOk = f.bearerOk.filter((b) => ids.has(b.client));
  }
  return f;
}

const serverByName = (dir: Directory, name: string | undefined): ServerInfo | undefined => dir.servers.find((s) => s.name === name);

function result(check: ClientCheck, v: Verdict, durationMs = 0): CaseResult {
  const outcome = v.outcome === 'fail' && check.level === 'should' ? 'warn' : v.outcome;
  return {
    id: check.id,
    title: check.title,
    group: check.group,
    level: check.level,
    outcome,
    mutated: check.group === 'fault' ? `IdP fault switch "${check.id.slice(6)}" on` : 'nothing (well-behaved IdP)',
    expected: check.expected,
    answered: v.answered,
    ...(v.reason ? { reason: v.reason } : {}),
    why: check.why,
    specRef: check.specRef,
    durationMs,
  };
}

function describeRun(run: RunResult): string {
  if (run.timedOut) return `did not finish within the time limit (killed after ${run.durationMs} ms)`;
  return `exit ${run.exitCode ?? `signal ${run.signal}`} after ${run.durationMs} ms`;
}

const SUBJECT_TOKEN_TYPES = [TOKEN_TYPE_ID_TOKEN, TOKEN_TYPE_REFRESH_TOKEN, TOKEN_TYPE_SAML2];

export const CLEAN_CHECKS = {
  run: {
    id: 'run.clean',
    title: 'The command succeeds against a well-behaved playground',
    group: 'run',
    level: 'must',
    expected: 'exit 0, a token exchange, a jwt-bearer grant and an MCP call',
    why: 'Every other check reads what this run sent; if the client cannot complete the flow, they have nothing to grade.',
    specRef: 'draft-04 §4.3, §5; RFC 8693 §2.1; RFC 7523 §2.1',
  },
  params: {
    id: 'exchange.params',
    title: 'Token exchange asks for an ID-JAG with a valid subject token type',
    group: 'exchange',
    level: 'must',
    expected: `requested_token_type=${TOKEN_TYPE_ID_JAG}, subject_token_type id_token (or refresh_token / saml2)`,
    why: 'The IdP only mints ID-JAGs for requests that say so; a wrong or missing type is refused or, worse, answered with a different token.',
    specRef: 'draft-04 §4.3.1, RFC 8693 §2.1',
  },
  audience: {
    id: 'exchange.audience',
    title: 'audience is the resource AS issuer, exactly',
    group: 'exchange',
    level: 'must',
    expected: 'audience = the issuer of the AS in the server’s PRM, byte for byte',
    why: 'The ID-JAG is addressed to that AS; a URL with a trailing slash, the token endpoint or the MCP URL instead of the issuer gets refused.',
    specRef: 'EMA §4, draft-04 §4.3.1, RFC 8414 §3.3',
  },
  resource: {
    id: 'exchange.resource',
    title: 'resource is the MCP server’s PRM resource',
    group: 'exchange',
    level: 'must',
    expected: 'resource = the RFC 9728 resource of the server it then calls',
    why: 'The resource binds the ID-JAG and the access token to one MCP server; the IdP checks the (audience, resource) pair.',
    specRef: 'EMA §4.3, EMA §7.6.1, RFC 8707 §2',
  },
  idpAuth: {
    id: 'auth.idp-credentials',
    title: 'The client authenticates at the IdP with its IdP registration',
    group: 'client-auth',
    level: 'must',
    expected: 'exchanges authenticated as the IdP client; no invalid_client at the IdP',
    why: 'The client has two registrations; using the AS credentials at the IdP fails, and a secret sent to the wrong party is a leaked secret.',
    specRef: 'draft-04 §5, EMA §7.7',
  },
  asAuth: {
    id: 'auth.as-credentials',
    title: 'The client authenticates at the AS with its AS registration',
    group: 'client-auth',
    level: 'must',
    expected: 'jwt-bearer requests authenticated as the client’s id at that AS (= the ID-JAG client_id), never its IdP id',
    why: 'The ID-JAG names the client’s id at the AS; the AS refuses the IdP credentials (invalid_client), and sending them there leaks them.',
    specRef: 'draft-04 §4.4.1, §5',
  },
  fresh: {
    id: 'bearer.fresh-id-jag',
    title: 'A fresh ID-JAG for every jwt-bearer request',
    group: 'bearer',
    level: 'must',
    expected: 'each jwt-bearer request carries an ID-JAG with a jti not seen before, minted in this run',
    why: 'ID-JAGs are single-use; a client that caches and re-presents one is refused by every EMA-conformant AS.',
    specRef: 'EMA §7.4.2, docs/decisions.md §4',
  },
  rightAs: {
    id: 'bearer.right-as',
    title: 'Each ID-JAG goes only to the AS it names',
    group: 'bearer',
    level: 'must',
    expected: 'the ID-JAG aud = the issuer of the AS it was presented to',
    why: 'Presenting a grant to another AS leaks it to a party it was not meant for.',
    specRef: 'draft-04 §4.4, EMA §7.4.1',
  },
  header: {
    id: 'mcp.bearer-header',
    title: 'The access token travels only in the Authorization header',
    group: 'mcp',
    level: 'must',
    expected: 'MCP calls after the token succeed (the server accepts the header only); none refused for a missing token',
    why: 'Tokens in URLs or bodies end up in logs and caches; MCP servers accept only the Authorization header.',
    specRef: 'MCP-AUTHZ (token usage), RFC 6750 §2.1, §5.3',
  },
} as const satisfies Record<string, ClientCheck>;

/** Grade the run against a well-behaved IdP. */
export function gradeClean(obs: Observation, dir: Directory, facts: Facts): CaseResult[] {
  const out: CaseResult[] = [];
  const { run } = obs;
  const flowSeen = facts.exchanges.length > 0 && facts.bearer.length > 0;
  const ok = run.exitCode === 0 && !run.timedOut;
  out.push(
    result(CLEAN_CHECKS.run, {
      outcome: ok && flowSeen ? 'pass' : 'fail',
      answered: `${describeRun(run)}; ${facts.exchanges.length} exchange(s), ${facts.bearer.length} jwt-bearer request(s), ${facts.mcpOk.length} MCP call(s) seen`,
      ...(!ok
        ? { reason: `The command ${describeRun(run)}.${run.output ? ` Output: ${run.output.slice(-300)}` : ''}` }
        : !flowSeen
          ? {
              reason:
                'The command made no XAA flow the IdP and the ASes could see (no token exchange or no jwt-bearer request). Does it reuse cached tokens? Make it fetch fresh ones (e.g. connect rather than call).',
            }
          : {}),
    }),
  );
  const none = (check: ClientCheck, what: string) =>
    result(check, { outcome: 'error', answered: `no ${what} observed`, reason: `Nothing to grade: the run made no ${what}.` });

  // exchange parameters
  if (facts.exchanges.length === 0) {
    out.push(none(CLEAN_CHECKS.params, 'token exchange'), none(CLEAN_CHECKS.audience, 'token exchange'), none(CLEAN_CHECKS.resource, 'token exchange'));
  } else {
    const badType = facts.exchanges.filter(
      (x) => x.params.requested_token_type !== TOKEN_TYPE_ID_JAG || !SUBJECT_TOKEN_TYPES.includes(String(x.params.subject_token_type)),
    );
    const refusedShape = facts.exchangeRefusals.filter((r) => r.code === 'invalid_request');
    out.push(
      result(CLEAN_CHECKS.params, {
        outcome: badType.length === 0 && refusedShape.length === 0 ? 'pass' : 'fail',
        answered: [
          ...new Set(
            facts.exchanges.map(
              (x) => `requested_token_type=${String(x.params.requested_token_type)} subject_token_type=${String(x.params.subject_token_type)}`,
            ),
          ),
        ].join('; '),
        ...(badType.length || refusedShape.length
          ? {
              reason: `${badType.length} exchange(s) with a wrong token type; ${refusedShape.length} refused as invalid_request (${refusedShape.map((r) => r.rule).join(', ')}).`,
            }
          : {}),
      }),
    );
    const issuers = new Set(dir.servers.map((s) => s.issuer));
    const audiences = facts.exchanges.map((x) => String(x.params.audience ?? ''));
    const badAud = audiences.filter((a) => !issuers.has(a));
    out.push(
      result(CLEAN_CHECKS.audience, {
        outcome: badAud.length === 0 ? 'pass' : 'fail',
        answered: [...new Set(audiences)].map((a) => `audience=${a || '(none)'}`).join('; '),
        ...(badAud.length ? { reason: `audience ${[...new Set(badAud)].map((a) => JSON.stringify(a)).join(', ')} is not the issuer of any AS.` } : {}),
      }),
    );
    const badRes = facts.exchanges.filter((x) => {
      const s = dir.servers.find((y) => y.issuer === x.params.audience);
      return !s || x.params.resource !== s.resource;
    });
    out.push(
      result(CLEAN_CHECKS.resource, {
        outcome: badRes.length === 0 ? 'pass' : 'fail',
        answered: [...new Set(facts.exchanges.map((x) => `resource=${String(x.params.resource ?? '(none)')}`))].join('; '),
        ...(badRes.length
          ? {
              reason: `${badRes.length} exchange(s) without the server's resource: ${badRes.map((x) => `audience ${String(x.params.audience)} with resource ${String(x.params.resource ?? '(none)')}`).join('; ')}.`,
            }
          : {}),
      }),
    );
  }

  // client authentication at each party
  const idpClientIds = new Set(dir.apps.map((a) => a.client_id));
  const asIds = new Map(dir.apps.flatMap((a) => Object.entries(a.registrations).map(([server, id]) => [`${server}\n${id}`, a.client_id] as const)));
  const idpInvalidClient = facts.exchangeRefusals.filter((r) => r.code === 'invalid_client');
  const idpWrong = facts.exchanges.filter((x) => !idpClientIds.has(x.client));
  out.push(
    result(CLEAN_CHECKS.idpAuth, {
      outcome:
        facts.exchanges.length === 0 && idpInvalidClient.length === 0 ? 'error' : idpWrong.length === 0 && idpInvalidClient.length === 0 ? 'pass' : 'fail',
      answered: `${[...new Set(facts.exchanges.map((x) => x.client))].join(', ') || '(none)'}${idpInvalidClient.length ? `; ${idpInvalidClient.length} invalid_client` : ''}`,
      ...(idpInvalidClient.length ? { reason: `The IdP refused the client's credentials ${idpInvalidClient.length} time(s) (invalid_client).` } : {}),
      ...(idpWrong.length
        ? { reason: `Authenticated at the IdP as ${idpWrong.map((x) => x.client).join(', ')}, which is not an IdP client registration.` }
        : {}),
    }),
  );
  const asInvalidClient = facts.bearerDenied.filter((d) => d.code === 'invalid_client');
  const asWrong = facts.bearer.filter((b) => !asIds.has(`${b.server}\n${b.client}`) || idpClientIds.has(b.client));
  if (facts.bearer.length === 0 && asInvalidClient.length === 0 && facts.issued.length > 0)
    // An AS refuses bad credentials before its grant runs, so the refusal may leave no event; the
    // tell-tale is an ID-JAG minted for this run that never reached any AS's jwt-bearer grant.
    out.push(
      result(CLEAN_CHECKS.asAuth, {
        outcome: 'fail',
        answered: `${facts.issued.length} ID-JAG(s) issued, no jwt-bearer request got past client authentication`,
        reason:
          'No jwt-bearer request passed client authentication at any AS although the IdP issued ID-JAGs: wrong credentials at the AS (the IdP’s, say), or the client never presented its grants.',
      }),
    );
  else
    out.push(
      result(CLEAN_CHECKS.asAuth, {
        outcome: facts.bearer.length === 0 && asInvalidClient.length === 0 ? 'error' : asWrong.length === 0 && asInvalidClient.length === 0 ? 'pass' : 'fail',
        answered: `${[...new Set(facts.bearer.map((b) => `${b.client}@${b.server}${b.authMethod ? ` (${b.authMethod})` : ''}`))].join(', ') || '(none)'}${asInvalidClient.length ? `; ${asInvalidClient.length} invalid_client` : ''}`,
        ...(asInvalidClient.length ? { reason: `An AS refused the client's credentials ${asInvalidClient.length} time(s) (invalid_client).` } : {}),
        ...(asWrong.length
          ? {
              reason: `Authenticated at an AS as ${asWrong.map((b) => `${b.client}@${b.server}`).join(', ')}: ${asWrong.some((b) => idpClientIds.has(b.client)) ? 'that is the IdP client id — the registrations are mixed up' : 'not a registration at that AS'}.`,
            }
          : {}),
      }),
    );

  // fresh ID-JAG per jwt-bearer request, and only to the AS it names
  if (facts.bearer.length === 0) out.push(none(CLEAN_CHECKS.fresh, 'jwt-bearer request'), none(CLEAN_CHECKS.rightAs, 'jwt-bearer request'));
  else {
    const minted = new Set(facts.issued.map((i) => i.jti).filter(Boolean));
    const seen = new Map<string, number>();
    for (const b of facts.bearer) if (b.jti) seen.set(b.jti, (seen.get(b.jti) ?? 0) + 1);
    const reused = [...seen].filter(([, n]) => n > 1);
    const foreign = facts.bearer.filter((b) => !b.jti || !minted.has(b.jti));
    out.push(
      result(CLEAN_CHECKS.fresh, {
        outcome: reused.length === 0 && foreign.length === 0 ? 'pass' : 'fail',
        answered: `${facts.bearer.length} jwt-bearer request(s), ${seen.size} distinct jti, ${facts.issued.length} ID-JAG(s) minted`,
        ...(reused.length ? { reason: `Re-presented ID-JAG(s): ${reused.map(([j, n]) => `${j} ×${n}`).join(', ')}.` } : {}),
        ...(!reused.length && foreign.length ? { reason: `${foreign.length} jwt-bearer request(s) carried an ID-JAG not minted by the IdP in this run.` } : {}),
      }),
    );
    const wrongAs = facts.bearer.filter((b) => {
      const s = serverByName(dir, b.server);
      const aud = Array.isArray(b.aud) ? b.aud : [b.aud];
      return !s || !aud.includes(s.issuer);
    });
    out.push(
      result(CLEAN_CHECKS.rightAs, {
        outcome: wrongAs.length === 0 ? 'pass' : 'fail',
        answered: [...new Set(facts.bearer.map((b) => `${b.server}: aud ${JSON.stringify(b.aud)}`))].join('; '),
        ...(wrongAs.length
          ? { reason: `ID-JAG(s) presented to an AS they do not name: ${wrongAs.map((b) => `${b.server} got aud ${JSON.stringify(b.aud)}`).join('; ')}.` }
          : {}),
      }),
    );
  }

  // bearer in the header: the sample servers accept only `Authorization: Bearer`
  const firstToken = facts.bearerOk[0]?.time;
  const afterToken = firstToken ? facts.mcpDenied.filter((d) => d.time > firstToken && /access token is required|Bearer/i.test(d.description)) : [];
  if (afterToken.length > 0)
    out.push(
      result(CLEAN_CHECKS.header, {
        outcome: 'fail',
        answered: `${facts.mcpOk.length} MCP call(s) accepted; ${afterToken.length} refused for a missing token after one was issued`,
        reason: `The MCP server saw no Bearer credential in ${afterToken.length} request(s) made after the client had a token (in the URL or the body instead?).`,
      }),
    );
  else if (!firstToken || facts.mcpOk.length === 0)
    out.push(
      result(CLEAN_CHECKS.header, {
        outcome: 'error',
        answered: `${facts.mcpOk.length} MCP call(s) after a token`,
        reason: 'The run made no MCP tool call with an access token, so where it puts the token cannot be seen. Include a tool call in the command.',
      }),
    );
  else out.push(result(CLEAN_CHECKS.header, { outcome: 'pass', answered: `${facts.mcpOk.length} MCP call(s) accepted with the token in the header` }));
  return out;
}

/** What each fault asks of the client, and how it is graded. */
export const FAULT_CHECKS: Record<FaultKind, ClientCheck & { badIdJag: boolean }> = {
  typ: {
    id: 'fault.typ',
    title: 'ID-JAG with the wrong typ',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'fails cleanly (non-zero exit), no loop',
    why: 'A client that retries a refused grant forever hammers the IdP and the AS; one that reports success without a token hides the failure.',
    specRef: 'draft-04 §4.4.1, RFC 8725 §3.11',
  },
  aud: {
    id: 'fault.aud',
    title: 'ID-JAG for another audience',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'refuses it (aud ≠ the AS issuer) or fails cleanly, no loop',
    why: 'A client can see the aud is not the AS it is about to call; sending the grant anyway hands it to a party it was not meant for.',
    specRef: 'draft-04 §4.4.1',
  },
  expired: {
    id: 'fault.expired',
    title: 'Expired ID-JAG',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'fails cleanly (non-zero exit), no loop',
    why: 'Clock trouble or a slow hop must end in a clear error, not a retry storm.',
    specRef: 'RFC 7523 §3 (4), EMA §7.4.2',
  },
  missing_jti: {
    id: 'fault.missing_jti',
    title: 'ID-JAG without jti',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'fails cleanly (non-zero exit), no loop',
    why: 'The AS refuses a grant it cannot make single-use; the client must surface that, not loop.',
    specRef: 'draft-04 §3.1, EMA §7.4.2',
  },
  unknown_kid: {
    id: 'fault.unknown_kid',
    title: 'ID-JAG signed with an unknown key',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'fails cleanly (non-zero exit), no loop',
    why: 'A key rotation gone wrong at the IdP must produce a clear failure, not a retry storm.',
    specRef: 'EMA §7.4.1',
  },
  slow: {
    id: 'fault.slow',
    title: 'Slow IdP',
    group: 'fault',
    level: 'must',
    badIdJag: false,
    expected: 'waits and succeeds; no duplicate exchanges',
    why: 'A few seconds of IdP latency is normal in an enterprise; a client with a too-short timeout, or one that fires parallel retries, fails users for nothing.',
    specRef: 'RFC 6749 §5',
  },
  server_error: {
    id: 'fault.server_error',
    title: 'IdP answers 5xx (503)',
    group: 'fault',
    level: 'must',
    badIdJag: false,
    expected: 'fails cleanly (non-zero exit), a few retries at most, nothing sent to the AS',
    why: 'Retrying an outage without bound makes it worse; without an ID-JAG there is nothing to present to the AS.',
    specRef: 'RFC 6749 §5.2',
  },
  access_denied: {
    id: 'fault.access_denied',
    title: 'Policy denies the exchange',
    group: 'fault',
    level: 'must',
    badIdJag: false,
    expected: 'reports the denial (non-zero exit) without retrying the exchange',
    why: 'A policy decision does not change on retry; asking again only fills the audit log. The user needs the message, and IT decides.',
    specRef: 'RFC 8693 §2.2.2, RFC 6749 §5.2',
  },
};

export interface FaultGradeContext {
  /** Servers the clean run exchanged for (the retry budget scales with it). */
  servers: number;
  /** Exchanges the clean run made. */
  cleanExchanges: number;
  /** Most requests per server a client may make for one failing action (default 3). */
  maxPerServer: number;
}

export function gradeFault(kind: FaultKind, obs: Observation, facts: Facts, ctx: FaultGradeContext): CaseResult {
  const check = FAULT_CHECKS[kind];
  const { run } = obs;
  const budget = Math.max(1, ctx.servers) * ctx.maxPerServer;
  const ex = facts.exchanges.length;
  const bearer = facts.bearer.length;
  const answered = `${describeRun(run)}; fault fired ${facts.faultsFired.length}×; ${ex} exchange(s), ${bearer} jwt-bearer request(s)${facts.bearerDenied.length ? ` (AS: ${[...new Set(facts.bearerDenied.map((d) => d.code))].join(', ')})` : ''}`;
  const v = (outcome: Verdict['outcome'], reason?: string) => result(check, { outcome, answered, ...(reason ? { reason } : {}) }, run.durationMs);
  if (run.timedOut) return v('fail', `The command hung: it was still running at the time limit (${run.durationMs} ms).`);
  if (facts.faultsFired.length === 0)
    return v('error', 'The fault never fired: the command made no token exchange for this client (does it reuse cached tokens?).');
  if (kind === 'slow') {
    if (run.exitCode !== 0)
      return v('fail', `The command failed (exit ${run.exitCode}) when the IdP was merely slow.${run.output ? ` Output: ${run.output.slice(-200)}` : ''}`);
    if (ex > ctx.cleanExchanges) return v('fail', `It made ${ex} exchanges where the clean run made ${ctx.cleanExchanges}: duplicate requests while waiting.`);
    return v('pass');
  }
  if (run.exitCode === 0) return v('fail', 'The command reported success although no valid access token could be obtained.');
  if (kind === 'access_denied') {
    if (ex > Math.max(1, ctx.servers)) return v('fail', `It asked again after access_denied: ${ex} exchanges for ${Math.max(1, ctx.servers)} server(s).`);
    if (bearer > 0) return v('fail', `It went on to the AS (${bearer} jwt-bearer request(s)) without an ID-JAG.`);
    return v('pass');
  }
  if (ex > budget || bearer > budget) return v('fail', `It loops: ${ex} exchanges and ${bearer} jwt-bearer requests (budget ${budget}).`);
  if (kind === 'server_error') {
    if (bearer > 0) return v('fail', `It went on to the AS (${bearer} jwt-bearer request(s)) without an ID-JAG.`);
    return v('pass', ex > Math.max(1, ctx.servers) ? `Retried (${ex} exchanges) within the budget.` : undefined);
  }
  return v('pass', bearer === 0 ? 'Refused the bad ID-JAG itself: nothing was sent to the AS.' : 'Sent it; the AS refused it, and the client stopped.');
}

/**
 * Grading a client run against the checks (checks.ts) from its facts (facts.ts): the clean run
 * against a well-behaved IdP, and — per fault switch — whether the client refuses or surfaces a bad
 * answer without looping.
 */
import { type FlowEvent, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN, TOKEN_TYPE_REFRESH_TOKEN, TOKEN_TYPE_SAML2 } from '@xaa/protocol';
import type { FaultKind } from '../idp.ts';
import type { CaseResult } from '../report/types.ts';
import { CLEAN_CHECKS, type ClientCheck, FAULT_CHECKS } from './checks.ts';
import type { RunResult } from './command.ts';
import type { Facts } from './facts.ts';
import type { Directory, ServerInfo } from './observe.ts';

export interface Observation {
  run: RunResult;
  events: FlowEvent[];
}

type Verdict = { outcome: 'pass' | 'fail' | 'error' | 'skip'; answered: string; reason?: string };

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

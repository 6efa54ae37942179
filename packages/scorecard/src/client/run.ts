/**
 * `runClientScorecard(options) → report`: run the client once against a well-behaved playground and
 * grade what it sent, then once per IdP fault switch (scoped to that client at the IdP) and grade how
 * it copes. The IdP's fault switches are restored to what they were before, whatever happens.
 */
import type { HttpDeps } from '../http.ts';
import { type FaultKind, type FaultState, type IdpAccess, IdpAdmin } from '../idp.ts';
import { buildReport, type CaseResult, type ScorecardReport } from '../report/types.ts';
import { FAULT_CHECKS } from './checks.ts';
import type { ClientRunner } from './command.ts';
import { askForDpop, gradeDpop } from './dpop.ts';
import { extractFacts } from './facts.ts';
import { gradeClean, gradeFault } from './grade.ts';
import { collect, mark, readDirectory, sources } from './observe.ts';

export const ALL_FAULTS: readonly FaultKind[] = ['typ', 'aud', 'expired', 'missing_jti', 'unknown_kid', 'slow', 'server_error', 'access_denied'];

export interface ClientScorecardOptions extends HttpDeps {
  idp: IdpAccess | IdpAdmin;
  /** Runs the client once (a shell command via `shellRunner`, or a function in tests). */
  run: ClientRunner;
  /** How the report names what ran (e.g. the command line). */
  label?: string;
  /** The client's id at the IdP; default: the one the clean run used. */
  client?: string;
  /** Faults to inject, one run each (default: all; `[]` grades the clean run only). */
  faults?: readonly FaultKind[];
  /** Delay of the `slow` fault (default 2000 ms). */
  slowMs?: number;
  /** Most requests per server a failing client may make (default 3). */
  maxPerServer?: number;
  /**
   * Also run the client once while every XAA server requires DPoP-bound tokens, and grade its proofs
   * (RFC 9449). Default false.
   */
  dpop?: boolean;
  onCase?: (result: CaseResult) => void;
}

export async function runClientScorecard(options: ClientScorecardOptions): Promise<ScorecardReport> {
  const startedAt = new Date();
  const t0 = performance.now();
  const deps: HttpDeps = { ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) };
  const idp = options.idp instanceof IdpAdmin ? options.idp : new IdpAdmin({ ...deps, ...options.idp });
  const dir = await readDirectory(idp);
  const bases = sources(idp, dir);
  const cases: CaseResult[] = [];
  const notes: string[] = [`graded from the flow events of ${bases.length} parties (IdP and each XAA server's admin events API)`];
  const emit = (r: CaseResult) => {
    cases.push(r);
    options.onCase?.(r);
  };

  const unreachable = new Set<string>();
  const before: FaultState = await idp.getFaults();
  let client = options.client;
  try {
    // 1. a clean run
    await idp.putFaults({ faults: [] });
    let marks = await mark(idp, bases, unreachable);
    const clean = await options.run('clean');
    const cleanEvents = await collect(idp, marks);
    if (!client) {
      const seen = [...new Set(cleanEvents.filter((e) => e.party === 'idp' && e.step === 'exchange.request').map((e) => e.subject?.client ?? ''))].filter(
        Boolean,
      );
      client = seen[0];
      if (seen.length > 1) notes.push(`several IdP clients exchanged tokens during the run (${seen.join(', ')}); grading ${client}`);
    }
    const facts = extractFacts(cleanEvents, dir, client);
    for (const r of gradeClean({ run: clean, events: cleanEvents }, dir, facts)) emit(r);

    // 1b. the playground asks for DPoP: does the client send correct proofs?
    if (options.dpop) {
      const undo = await askForDpop(idp, dir);
      let events: Awaited<ReturnType<typeof collect>>;
      let run: Awaited<ReturnType<ClientRunner>>;
      try {
        marks = await mark(idp, bases, unreachable);
        run = await options.run('dpop');
      } finally {
        await undo();
      }
      events = await collect(idp, marks);
      for (const r of gradeDpop({ run, events }, dir, client)) emit(r);
    }

    // 2. one run per fault switch, scoped to this client at the IdP
    const servers = new Set(facts.exchanges.map((x) => x.server ?? '')).size;
    for (const kind of options.faults ?? ALL_FAULTS) {
      if (!client) {
        const { badIdJag: _b, ...check } = FAULT_CHECKS[kind];
        emit({
          ...check,
          outcome: 'error',
          mutated: `IdP fault switch "${kind}" on`,
          answered: '(not run)',
          reason: 'The clean run made no token exchange, so there is no client to inject faults for.',
          durationMs: 0,
        });
        continue;
      }
      await idp.putFaults({ faults: [{ kind, client, ...(kind === 'slow' ? { delayMs: options.slowMs ?? 2000 } : {}) }] });
      marks = await mark(idp, bases, unreachable);
      const run = await options.run(`fault:${kind}`);
      await idp.putFaults({ faults: [] });
      const events = await collect(idp, marks);
      emit(
        gradeFault(kind, { run, events }, extractFacts(events, dir, client), {
          servers,
          cleanExchanges: facts.exchanges.length,
          maxPerServer: options.maxPerServer ?? 3,
        }),
      );
    }
  } finally {
    await idp.putFaults({ faults: before.faults }).catch(() => {});
  }

  if (unreachable.size) notes.push(`no events from ${[...unreachable].join(', ')} (not running, or not reachable)`);
  return buildReport({
    kind: 'client',
    title: `Client scorecard${options.label ? ` for ${options.label}` : ''}`,
    target: { ...(options.label ? { command: options.label } : {}), idp: idp.issuer, ...(client ? { client } : {}) },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    cases,
    notes,
  });
}

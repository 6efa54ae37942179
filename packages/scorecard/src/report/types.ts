/**
 * The scorecard report: one shape for the AS scorecard and the client scorecard, rendered as a
 * terminal table, JSON (this object as is) or JUnit XML. The console shows the same object.
 */

/**
 * - `pass`: the party did what the spec asks.
 * - `fail`: it did not (a MUST, or a SHOULD the playground treats as required).
 * - `warn`: it did not follow a SHOULD; reported, does not fail the run.
 * - `error`: the case could not be judged (the baseline was refused, the network failed …).
 * - `skip`: not applicable with the given options.
 */
export type CaseOutcome = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export type CaseLevel = 'must' | 'should';

/** What the party under test answered, as seen on the wire (never a usable token). */
export interface WireAnswer {
  status: number;
  error?: string;
  error_description?: string;
  /** Success responses: `token_type`, `scope`, `expires_in`, whether a refresh token came back. */
  token_type?: string;
  scope?: string;
  expires_in?: number;
  refresh_token?: boolean;
  /** Success responses: the `resource` member as sent (ID-JAG builds after -04, §4.4.2), when present. */
  resource?: unknown;
  cache_control?: string;
  /** Set when the request did not get an HTTP answer at all. */
  transport_error?: string;
}

export interface CaseResult {
  /** Stable id, e.g. `alg.none`, `client.id-mismatch`; JUnit test names and the console key on it. */
  id: string;
  title: string;
  /** Display group, e.g. `signature`, `audience`, `client-auth`. */
  group: string;
  level: CaseLevel;
  outcome: CaseOutcome;
  /** What the scorecard changed (or did) for this case. */
  mutated: string;
  /** What the party should have answered (docs/decisions.md §4 / spec). */
  expected: string;
  /** What it answered, one line (e.g. `400 invalid_grant: The ID-JAG expired …`). */
  answered: string;
  /** The raw answer(s), for JSON consumers. */
  answers?: WireAnswer[];
  /** Why this outcome (set when the outcome is not a plain pass). */
  reason?: string;
  /** Why the check matters. */
  why: string;
  /** The clause that states the rule. */
  specRef: string;
  durationMs: number;
}

export interface ReportSummary {
  total: number;
  passed: number;
  failed: number;
  warnings: number;
  errors: number;
  skipped: number;
  /** Percentage of judged cases that passed (skips excluded), rounded down. */
  score: number;
}

export interface ScorecardReport {
  kind: 'as' | 'client';
  /** Human title, e.g. `AS scorecard for http://localhost:4101`. */
  title: string;
  /** What was tested: issuer, resource, client id, IdP … (no secrets). */
  target: Record<string, unknown>;
  startedAt: string;
  durationMs: number;
  /** True when no case failed or errored (warnings and skips allowed). */
  ok: boolean;
  summary: ReportSummary;
  cases: CaseResult[];
  /** Notes about the run itself (e.g. where the token endpoint came from). */
  notes: string[];
}

export function summarize(cases: readonly CaseResult[]): ReportSummary {
  const count = (o: CaseOutcome) => cases.filter((c) => c.outcome === o).length;
  const passed = count('pass');
  const failed = count('fail');
  const warnings = count('warn');
  const errors = count('error');
  const skipped = count('skip');
  const judged = passed + failed + warnings + errors;
  return { total: cases.length, passed, failed, warnings, errors, skipped, score: judged === 0 ? 0 : Math.floor((passed * 100) / judged) };
}

export function buildReport(input: Omit<ScorecardReport, 'ok' | 'summary'>): ScorecardReport {
  const summary = summarize(input.cases);
  return { ...input, ok: summary.failed === 0 && summary.errors === 0 && summary.total > 0, summary };
}

/** One line for an answer: `400 invalid_grant: description` or `200 Bearer (scope …)`. */
export function formatAnswer(a: WireAnswer | undefined): string {
  if (!a) return '(no request)';
  if (a.transport_error) return `no answer: ${a.transport_error}`;
  if (a.status >= 200 && a.status < 300)
    return `${a.status} ${a.token_type ?? ''}${a.scope !== undefined ? ` scope="${a.scope}"` : ''}${a.refresh_token ? ' +refresh_token' : ''}`.trim();
  return `${a.status} ${a.error ?? '(no error code)'}${a.error_description ? `: ${a.error_description}` : ''}`;
}

const ESC = String.fromCharCode(27);

/**
 * Text that came from the party under test (error descriptions …) made safe for a terminal and for
 * XML 1.0: ANSI sequences and C0 controls other than tab/newline are removed, so an AS cannot paint
 * or rewrite the scorecard's output.
 */
export function plainText(s: string): string {
  const [head = '', ...rest] = s.split(ESC);
  let out = '';
  for (const ch of [head, ...rest.map((p) => p.replace(/^\[[0-9;?]*[A-Za-z]/, ''))].join('')) {
    const c = ch.codePointAt(0) as number;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c < 0xa0) || c === 0xfffe || c === 0xffff) continue;
    out += ch;
  }
  return out;
}

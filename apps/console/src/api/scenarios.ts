/**
 * The demo stories and the AS scorecard through the console backend (`/api/scenarios…`,
 * `/api/scorecard…`). Types come from the packages that produce the data (type-only imports: the
 * packages themselves run in the backend).
 */
import type { Fact, ScenarioRun, StepRecord, StepResult } from '@xaa/scenarios';
import type { CaseOutcome, CaseResult, ScorecardReport } from '@xaa/scorecard';
import { api } from './bff.ts';

export type { CaseOutcome, CaseResult, Fact, ScorecardReport, StepRecord, StepResult };

export interface ScenarioInfo {
  id: string;
  title: string;
  summary: string;
  steps: Array<{ id: string; title: string; narration: string }>;
}

export type RunView = ScenarioRun & { runId: string; done: boolean; total: number; busy: boolean };

/** One row of the consent-vs-XAA comparison (`result.data.comparison`). */
export interface ComparisonRow {
  label: string;
  classic: number | string;
  xaa: number | string;
}

export function comparisonOf(result: StepResult | undefined): ComparisonRow[] | undefined {
  const rows = result?.data?.comparison;
  if (!Array.isArray(rows)) return undefined;
  return rows.filter(
    (r): r is ComparisonRow =>
      !!r && typeof r === 'object' && typeof (r as ComparisonRow).label === 'string' && 'classic' in (r as object) && 'xaa' in (r as object),
  );
}

/** The two columns' headings (`result.data.columns`); the consent-vs-XAA story uses the defaults. */
export interface ComparisonColumns {
  classic: string;
  xaa: string;
}

export function columnsOf(result: StepResult | undefined): ComparisonColumns | undefined {
  const c = result?.data?.columns as Partial<ComparisonColumns> | undefined;
  return c && typeof c.classic === 'string' && typeof c.xaa === 'string' ? { classic: c.classic, xaa: c.xaa } : undefined;
}

export const scenarios = {
  list: async () => (await api<{ scenarios: ScenarioInfo[] }>('/api/scenarios')).scenarios,
  start: (id: string) => api<RunView>(`/api/scenarios/${encodeURIComponent(id)}/runs`, { method: 'POST' }),
  next: (runId: string) => api<StepRecord>(`/api/scenarios/runs/${encodeURIComponent(runId)}/next`, { method: 'POST' }),
  run: (runId: string) => api<RunView>(`/api/scenarios/runs/${encodeURIComponent(runId)}`),
};

export interface ScorecardTarget {
  server: string;
  title: string;
  issuer: string;
  resource: string;
  xaa: boolean;
  registrations: Array<{ app: string; title: string; client_id: string }>;
}

/** A playground server (the backend fills in its registration's secret) or any AS. */
export type ScorecardRequest = { server: string; app?: string } | { issuer: string; resource: string; clientId: string; clientSecret: string };

export const scorecard = {
  targets: () => api<{ targets: ScorecardTarget[]; idp: string }>('/api/scorecard/targets'),
  runAs: (body: ScorecardRequest) => api<{ report: ScorecardReport; junit: string }>('/api/scorecard/as', { method: 'POST', body }),
};

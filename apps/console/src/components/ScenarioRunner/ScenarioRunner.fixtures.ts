import type { ScenarioInfo, StepRecord } from '../../api/scenarios.ts';
import type { ScenarioRunSnapshot } from '../../state/scenario-run-state.ts';

export const NOW = 1_800_000_000;

export const consentStory: ScenarioInfo = {
  id: 'consent-vs-xaa',
  title: 'Consent screens vs XAA',
  summary: 'Alice connects her agent to Tasks and Docs twice.',
  steps: [
    { id: 'sso', title: 'Alice signs in once', narration: 'One login, at the IdP.' },
    { id: 'classic', title: 'Before XAA', narration: 'Every server asks separately.' },
    { id: 'compare', title: 'Side by side', narration: 'Hundreds of clicks a day.' },
  ],
};

const record = (index: number, patch: Partial<StepRecord>): StepRecord => {
  const step = consentStory.steps[index] as ScenarioInfo['steps'][number];
  return {
    index,
    id: step.id,
    title: step.title,
    narration: step.narration,
    status: 'passed',
    traceId: `${index}`.repeat(32),
    startedAt: '2027-01-15T08:00:00.000Z',
    durationMs: 120,
    ...patch,
  };
};

export const stepSso = record(0, { result: { ok: true, headline: 'Signed in at Acme Workforce (1 login form)' } });
export const stepClassic = record(1, {
  result: {
    ok: true,
    headline: '2 consent screens for 2 servers',
    facts: [
      { label: 'Consent screens', value: 2, tone: 'bad' },
      { label: 'Token dies in', value: NOW + 42, countdownTo: NOW + 42 },
    ],
  },
});
export const stepCompare = record(2, {
  result: {
    ok: true,
    headline: 'Classic: 2 consent screens · XAA: 0',
    data: {
      comparison: [
        { label: 'Consent screens', classic: 2, xaa: 0 },
        { label: 'Clicks', classic: 4, xaa: 1 },
      ],
    },
  },
});
export const stepFailed = record(1, { status: 'failed', error: 'http://localhost:4200/admin/agent/connect answered 502' });

export const snapshot = (steps: StepRecord[], phase: ScenarioRunSnapshot['phase']): ScenarioRunSnapshot => ({
  scenarioId: consentStory.id,
  runId: 'r'.repeat(22),
  steps,
  total: consentStory.steps.length,
  phase,
  auto: false,
});

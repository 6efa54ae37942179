import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import type { ScenarioRunSnapshot } from '../../state/scenario-run-state.ts';
import { consentStory, NOW, snapshot, stepClassic, stepCompare, stepFailed, stepSso } from './ScenarioRunner.fixtures.ts';
import { ScenarioRunner } from './ScenarioRunner.tsx';

const noop = () => {};
const render = (run: ScenarioRunSnapshot) =>
  renderToStaticMarkup(
    <MemoryRouter>
      <ScenarioRunner
        scenario={consentStory}
        run={run}
        now={NOW}
        presentHref="/present/consent-vs-xaa"
        onNext={noop}
        onRunToEnd={noop}
        onStop={noop}
        onRestart={noop}
        onOpenTrace={noop}
      />
    </MemoryRouter>,
  );

describe('ScenarioRunner', () => {
  it('shows every step with its narration before anything ran', () => {
    const html = render({ ...snapshot([], 'idle'), runId: undefined } as ScenarioRunSnapshot);
    expect(html.match(/data-status="pending"/g)).toHaveLength(3);
    expect(html).toContain('One login, at the IdP.');
    expect(html).toContain('Not started');
    expect(html).not.toContain('View trace');
  });

  it('shows a finished step: headline, facts, a live countdown and the link to its trace', () => {
    const html = render(snapshot([stepSso, stepClassic], 'ready'));
    expect(html).toContain('data-testid="step-classic" data-status="passed"');
    expect(html).toContain('2 consent screens for 2 servers');
    expect(html).toContain('data-left="42"');
    expect(html).toContain(`View trace …${'1'.repeat(8)}`);
    expect(html).toContain('2 of 3 steps done.');
  });

  it('renders the comparison as a side-by-side table and says the story ran to its end', () => {
    const html = render(snapshot([stepSso, stepClassic, stepCompare], 'done'));
    expect(html).toContain('data-testid="comparison"');
    expect(html).toMatch(/data-row="Consent screens".*data-col="classic">2<.*data-col="xaa">0</);
    expect(html).toContain('ran to its end');
    // Nothing left to run: the step buttons are disabled, restart is not.
    expect(html).toMatch(/<button type="button" class="primary" disabled="">Run next step/);
    expect(html).not.toMatch(/disabled="">Reset/);
  });

  it('shows a failed step with its error and that the run stopped there', () => {
    const html = render(snapshot([stepSso, stepFailed], 'failed'));
    expect(html).toContain('data-status="failed"');
    expect(html).toContain('answered 502');
    expect(html).toContain('the run stopped there');
  });

  it('shows a request error (backend unreachable) as an alert', () => {
    const html = render({ ...snapshot([], 'idle'), error: 'Network down' });
    expect(html).toContain('role="alert"');
    expect(html).toContain('Network down');
  });
});

import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ScenarioRunSnapshot } from '../../state/scenario-run-state.ts';
import { consentStory, NOW, snapshot, stepClassic, stepCompare, stepSso } from '../ScenarioRunner/ScenarioRunner.fixtures.ts';
import { Presenter, presenterKey } from './Presenter.tsx';

const noop = () => {};
const render = (run: ScenarioRunSnapshot) =>
  renderToStaticMarkup(<Presenter scenario={consentStory} run={run} now={NOW} onNext={noop} onRestart={noop} onExit={noop} />);

describe('Presenter', () => {
  it('opens on the story title and summary, with the first step up next', () => {
    const html = render({ ...snapshot([], 'idle'), runId: undefined } as ScenarioRunSnapshot);
    expect(html).toContain('<h1 class="presenter-title">Consent screens vs XAA</h1>');
    expect(html).toContain('First: Alice signs in once');
    expect(html.match(/dot dot-pending/g)).toHaveLength(3);
  });

  it('shows the current step, its narration, the result in large type and progress dots', () => {
    const html = render(snapshot([stepSso, stepClassic], 'ready'));
    expect(html).toContain('Step 2 of 3');
    expect(html).toContain('<h1 class="presenter-title">Before XAA</h1>');
    expect(html).toContain('Every server asks separately.');
    expect(html).toContain('2 consent screens for 2 servers');
    expect(html).toContain('facts facts-large');
    expect(html).toContain('data-left="42"');
    expect(html).toContain('dot dot-passed current');
    expect(html).toContain('Next: Side by side');
  });

  it('shows a running step without a result yet', () => {
    const html = render(snapshot([stepSso, { ...stepClassic, status: 'running', result: undefined }], 'running'));
    expect(html).toContain('running…');
    expect(html).not.toContain('data-testid="presenter-result"');
  });

  it('ends on the comparison table, large', () => {
    const html = render(snapshot([stepSso, stepClassic, stepCompare], 'done'));
    expect(html).toContain('comparison comparison-large');
    expect(html).toContain('The end');
  });

  it('maps the keys: Space/→/PageDown next, R restart, Esc back; modified keys are left alone', () => {
    const k = (key: string, mod: Partial<KeyboardEvent> = {}) => presenterKey({ key, altKey: false, ctrlKey: false, metaKey: false, ...mod });
    expect([k(' '), k('ArrowRight'), k('PageDown')]).toEqual(['next', 'next', 'next']);
    expect([k('r'), k('R'), k('Escape')]).toEqual(['restart', 'restart', 'exit']);
    expect(k('r', { ctrlKey: true })).toBeUndefined();
    expect(k('x')).toBeUndefined();
  });
});

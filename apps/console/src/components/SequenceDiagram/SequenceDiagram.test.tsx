import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { sampleTrace } from '../LiveFlows/LiveFlows.fixtures.ts';
import { SequenceDiagram } from './SequenceDiagram.tsx';

const render = (events: ReturnType<typeof sampleTrace>, selectedId?: string) =>
  renderToStaticMarkup(<SequenceDiagram events={events} selectedId={selectedId} onSelect={() => {}} />);

describe('SequenceDiagram', () => {
  it('draws one row per step with the arrow between the parties, in time order', () => {
    const events = sampleTrace({ index: 0, start: 1_000_000 });
    const html = render(events);
    const steps = [...html.matchAll(/<button[^>]*data-step="([^"]+)"[^>]*data-from="([^"]+)" data-to="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}>${m[3]}`);
    expect(steps[0]).toBe('sso.authorize client>idp');
    expect(steps).toContain('exchange.issued idp>client');
    expect(steps).toContain('mcp.response mcp>client');
    // The AS's passing checks fold into one row until opened.
    expect(html).toMatch(/data-step="bearer.check" data-group="3"/);
    expect(html).not.toMatch(/<button[^>]*data-step="bearer.check" data-id=/);
  });

  it('opens a folded run when one of its checks is the selected step, and marks it', () => {
    const events = sampleTrace({ index: 0, start: 1_000_000 });
    const check = events.find((e) => e.step === 'bearer.check');
    const html = render(events, check?.id);
    expect(html).toMatch(/aria-expanded="true"[^>]*data-step="bearer.check" data-group="3"/);
    expect(html).toMatch(new RegExp(`aria-pressed="true"[^>]*data-step="bearer.check" data-id="${check?.id}"`));
  });

  it('shows a failing check on its own row, in the colour of its outcome', () => {
    const html = render(sampleTrace({ index: 0, start: 1_000_000, kind: 'bad_aud' }));
    expect(html).toMatch(/class="seq-step error self[^"]*"[^>]*data-step="bearer.check"/);
    expect(html).toContain('invalid_grant');
  });
});

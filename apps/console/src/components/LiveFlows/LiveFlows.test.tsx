import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FlowLogState } from '../../state/flow-log-state.ts';
import { consoleTraffic, sampleTrace } from './LiveFlows.fixtures.ts';
import { LiveFlows, type LiveFlowsProps } from './LiveFlows.tsx';

function render(events: ReturnType<typeof sampleTrace>, selectedIndex?: number, state = new FlowLogState()) {
  state.append(events);
  const selected = selectedIndex === undefined ? undefined : events[selectedIndex];
  const noop = () => {};
  const props: LiveFlowsProps = {
    snapshot: state.snapshot(),
    trace: selected ? state.trace(selected.traceId) : [],
    selected,
    expanded: selected,
    onSelect: noop,
    onExpand: noop,
    onFilter: noop,
    onPause: noop,
    onLoadRecording: noop,
    onGoLive: noop,
    onExport: noop,
    onClear: noop,
    onClose: noop,
    onShowConsole: noop,
  };
  return renderToStaticMarkup(<LiveFlows {...props} />);
}

describe('LiveFlows', () => {
  it('shows an empty state before any event', () => {
    expect(render([])).toContain('No flow events yet');
  });

  it('explains a denied trace: who decided, the error code, the rule and the policy trace', () => {
    const events = sampleTrace({ index: 3, start: 1_000_000, kind: 'denied' });
    const decision = events.findIndex((e) => e.step === 'exchange.decision');
    const html = render(events, decision);
    expect(html).toContain('data-testid="trace-failure"');
    expect(html).toContain('access_denied');
    expect(html).toContain('exchange.decision');
    expect(html).toContain('Policy decision trace');
    expect(html).toContain('connection.audience');
  });

  it('shows a successful trace as a sequence diagram across the four parties, with the token lineage', () => {
    const html = render(sampleTrace({ index: 0, start: 1_000_000 }), 0);
    expect(html).toContain('aria-label="Sequence diagram"');
    for (const lane of ['IdP', 'Client', 'AS · tasks', 'MCP · tasks']) expect(html).toContain(`>${lane}</span>`);
    // The ID-JAG goes from the IdP to the client; the access token from the AS to the client.
    expect(html).toMatch(/data-step="exchange.issued" data-id="[^"]+" data-from="idp" data-to="client"/);
    expect(html).toMatch(/data-step="bearer.issued" data-id="[^"]+" data-from="as" data-to="client"/);
    expect(html).toContain('← All events');
    for (const hop of ['data-role="id_token"', 'data-role="id_jag"', 'data-role="access_token"', 'data-role="tool_call"']) expect(html).toContain(hop);
    expect(html).not.toContain('data-testid="trace-failure"');
  });

  it("hides the console's own traffic behind one switch, and says so", () => {
    const state = new FlowLogState({ consoleClients: ['xaa-console'] });
    const html = render([...consoleTraffic(500_000), ...sampleTrace({ index: 0, start: 1_000_000 })], undefined, state);
    expect(html).toContain('10 console events hidden');
    expect(html).toMatch(/role="switch"[^>]*\/>Show console traffic/);
    expect(html).not.toContain('redeemed a refresh token');
    expect(render(consoleTraffic(500_000), undefined, new FlowLogState({ consoleClients: ['xaa-console'] }))).toContain(
      'Only the console&#x27;s own traffic so far',
    );
  });
});

import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { FlowLogState } from '../../state/flow-log-state.ts';
import { sampleTrace } from './LiveFlows.fixtures.ts';
import { LiveFlows, type LiveFlowsProps } from './LiveFlows.tsx';

function render(events: ReturnType<typeof sampleTrace>, selectedIndex?: number) {
  const state = new FlowLogState();
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

  it('shows the token lineage and the four lanes of a successful trace', () => {
    const html = render(sampleTrace({ index: 0, start: 1_000_000 }), 0);
    for (const lane of ['IdP', 'Client', 'Authorization server', 'MCP server']) expect(html).toContain(lane);
    for (const hop of ['data-role="id_token"', 'data-role="id_jag"', 'data-role="access_token"', 'data-role="tool_call"']) expect(html).toContain(hop);
    expect(html).not.toContain('data-testid="trace-failure"');
  });
});

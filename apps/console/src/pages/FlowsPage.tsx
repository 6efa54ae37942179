import type { FlowEvent } from '@xaa/protocol';
import { useEffect, useMemo, useState } from 'react';
import { LiveFlows } from '../components/LiveFlows/LiveFlows.tsx';
import { PageHeader } from '../components/PageHeader/PageHeader.tsx';
import { useFlowLog } from '../hooks/use-flow-log.ts';
import { failureOf } from '../lib/trace.ts';
import type { FlowLogState } from '../state/flow-log-state.ts';
import { type FlowSource, LiveFlowSource, parseRecording, RecordedFlowSource, toRecording } from '../state/flow-source.ts';

/** Owns which FlowSource feeds the shared store; the store outlives the page (the agent page feeds it too). */
export function useFlowSource(state: FlowLogState) {
  const [source, setSource] = useState<FlowSource>(() => new LiveFlowSource());
  useEffect(() => source.connect(state), [source, state]);
  return { source, setSource };
}

export function FlowsPage({ state, onInspect }: { state: FlowLogState; onInspect?: (compact: string) => void }) {
  const snapshot = useFlowLog(state);
  const { setSource } = useFlowSource(state);
  const [selected, setSelected] = useState<FlowEvent>();
  const [expanded, setExpanded] = useState<FlowEvent>();
  const [lastSelectedId, setLastSelectedId] = useState<string>();
  const [recordingError, setRecordingError] = useState<string>();
  const [replaySpeed, setReplaySpeed] = useState(0);
  const trace = useMemo(() => (selected ? state.trace(selected.traceId) : []), [selected, state, snapshot.version]);

  const select = (e: FlowEvent) => {
    setSelected(e);
    setLastSelectedId(e.id);
    setExpanded(failureOf(state.trace(e.traceId)) ?? e);
  };

  return (
    <>
      <PageHeader
        title="Live flows"
        description="Every step of every trace across the IdP, the client, each authorization server and MCP server, as it happens. Select an event to see its trace as a sequence diagram, the token lineage and the raw exchange."
      />
      <LiveFlows
        snapshot={snapshot}
        trace={trace}
        selected={selected}
        expanded={expanded}
        onSelect={select}
        onExpand={setExpanded}
        lastSelectedId={lastSelectedId}
        onClose={() => {
          setSelected(undefined);
          setExpanded(undefined);
        }}
        onFilter={(f) => state.setFilter(f)}
        onShowConsole={(show) => state.setShowConsole(show)}
        onPause={(p) => state.setPaused(p)}
        recordingError={recordingError}
        {...(onInspect ? { onInspect } : {})}
        replaySpeed={replaySpeed}
        onReplaySpeed={setReplaySpeed}
        onLoadRecording={async (file) => {
          try {
            const recording = parseRecording(JSON.parse(await file.text()));
            setRecordingError(undefined);
            state.clear();
            setSelected(undefined);
            setSource(new RecordedFlowSource({ ...recording, title: recording.title ?? file.name }, replaySpeed));
          } catch (e) {
            setRecordingError(`Could not load ${file.name}: ${(e as Error).message}`);
          }
        }}
        onGoLive={() => {
          state.clear();
          setSelected(undefined);
          setSource(new LiveFlowSource());
        }}
        onExport={() => {
          const blob = new Blob([JSON.stringify(toRecording(snapshot.visible, 'XAA playground recording'), null, 1)], { type: 'application/json' });
          const a = document.createElement('a');
          a.href = URL.createObjectURL(blob);
          a.download = `xaa-flows-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
          a.click();
          URL.revokeObjectURL(a.href);
        }}
        onClear={() => {
          state.clear();
          setSelected(undefined);
        }}
      />
    </>
  );
}

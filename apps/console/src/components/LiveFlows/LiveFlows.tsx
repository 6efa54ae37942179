import type { FlowEvent } from '@xaa/protocol';
import { useEffect, useMemo, useRef } from 'react';
import { failureOf, lineage } from '../../lib/trace.ts';
import type { FlowFilter, FlowLogSnapshot } from '../../state/flow-log-state.ts';
import { EmptyState } from '../EmptyState/EmptyState.tsx';
import { FlowFilters } from '../FlowFilters/FlowFilters.tsx';
import { FlowList } from '../FlowList/FlowList.tsx';
import { SequenceDiagram } from '../SequenceDiagram/SequenceDiagram.tsx';
import { StepDetail } from '../StepDetail/StepDetail.tsx';
import { TokenLineage } from '../TokenLineage/TokenLineage.tsx';
import '../../styles/flows.css';

export interface LiveFlowsProps {
  snapshot: FlowLogSnapshot;
  /** Every event of the selected event's trace. */
  trace: readonly FlowEvent[];
  selected: FlowEvent | undefined;
  expanded: FlowEvent | undefined;
  onSelect: (event: FlowEvent) => void;
  onExpand: (event: FlowEvent | undefined) => void;
  /** Back from the trace view to the event list. */
  onClose?: () => void;
  /** The event whose trace was open last: marked in the list when coming back. */
  lastSelectedId?: string | undefined;
  onFilter: (filter: FlowFilter) => void;
  /** Show or hide the console's own sign-in and admin-API traffic. */
  onShowConsole?: (show: boolean) => void;
  onPause: (paused: boolean) => void;
  onLoadRecording: (file: File) => void;
  /** Replay speed for the next recording: 0 = all at once, 1 = real time, 10 = ten times faster. */
  replaySpeed?: number;
  onReplaySpeed?: (speed: number) => void;
  onGoLive: () => void;
  onExport: () => void;
  onClear: () => void;
  recordingError?: string | undefined;
  /** Open a token of a step in the token inspector. */
  onInspect?: (compact: string) => void;
}

/**
 * One trace: what failed and why, the sequence diagram across the four parties with the selected
 * step's detail beside it, and the token lineage. Escape or "All events" goes back to the list.
 */
function TraceView(p: LiveFlowsProps & { selected: FlowEvent }) {
  const hops = useMemo(() => lineage(p.trace), [p.trace]);
  const failure = useMemo(() => failureOf(p.trace), [p.trace]);
  const onClose = p.onClose;
  useEffect(() => {
    if (!onClose) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const parties = [...new Set(p.trace.map((e) => e.party))];
  return (
    <section className="trace-view" aria-label="Trace">
      <div className="row trace-view-head">
        {onClose ? (
          <button type="button" onClick={onClose}>
            ← All events
          </button>
        ) : null}
        <h2>Trace</h2>
        <span className="mono small muted">{p.selected.traceId}</span>
        <span className="spacer" />
        <span className="muted small">
          {p.trace.length} steps · {parties.join(' · ')}
        </span>
      </div>
      {failure ? (
        <div className={`callout ${failure.outcome === 'denied' ? 'denied' : 'error'}`} data-testid="trace-failure" style={{ marginBottom: 12 }}>
          <strong>{failure.outcome === 'denied' ? 'Denied' : 'Failed'}</strong> at <span className="mono">{failure.step}</span> ({failure.party})
          {failure.error ? (
            <>
              {' '}
              with <strong className="mono">{failure.error.code}</strong>
            </>
          ) : null}
          : {failure.error?.description ?? failure.check?.detail ?? failure.decision?.reasons.join('; ') ?? failure.summary}
          {failure.decision ? (
            <div className="small">
              Rule <span className="mono">{failure.decision.rule}</span>
              {failure.decision.reasons.length ? ` · ${failure.decision.reasons.join(' · ')}` : ''}
            </div>
          ) : null}
          {failure.error?.specRef || failure.check?.specRef ? <div className="spec">{failure.error?.specRef ?? failure.check?.specRef}</div> : null}
        </div>
      ) : null}
      <div className="trace-layout">
        <div className="panel stack">
          <SequenceDiagram events={p.trace} selectedId={p.expanded?.id} onSelect={(e) => p.onExpand(e)} />
          <div>
            <h3>Token lineage</h3>
            <TokenLineage hops={hops} />
          </div>
        </div>
        <div className="trace-side" aria-live="polite">
          {p.expanded ? (
            <StepDetail event={p.expanded} onInspect={p.onInspect} />
          ) : (
            <div className="panel">
              <EmptyState title="Select a step">Pick an arrow to see what was sent, what came back and which checks ran.</EmptyState>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

export function LiveFlows(p: LiveFlowsProps) {
  const file = useRef<HTMLInputElement>(null);
  const s = p.snapshot;
  const upstreams = Object.entries(s.sourceState.upstreams ?? {});
  return (
    <div>
      <div className="row" style={{ marginBottom: 10 }}>
        <span className={`badge ${s.sourceState.status === 'open' ? 'ok' : s.sourceState.status === 'error' ? 'error' : 'info'}`} data-testid="source-state">
          {s.sourceState.kind === 'recorded' ? 'Recording' : 'Live'} · {s.sourceState.status}
          {s.sourceState.detail ? ` · ${s.sourceState.detail}` : ''}
        </span>
        <span className="source-status" title="Event sources">
          {upstreams.map(([k, u]) => (
            <span key={k} className={`badge ${u.state === 'up' ? 'ok' : 'denied'}`} title={u.reason}>
              {u.label} {u.state === 'up' ? '●' : '○'}
            </span>
          ))}
        </span>
      </div>
      <div className="row flow-toolbar">
        <span className="muted small" data-testid="event-count">
          {s.visible.length.toLocaleString('en')} shown · {s.total.toLocaleString('en')} events
          {s.consoleHidden ? ` · ${s.consoleHidden.toLocaleString('en')} console events hidden` : ''}
        </span>
        <span className="spacer" />
        <input
          ref={file}
          type="file"
          accept="application/json,.json"
          className="visually-hidden"
          aria-label="Recording file"
          data-testid="recording-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) p.onLoadRecording(f);
            e.target.value = '';
          }}
        />
        {p.onReplaySpeed ? (
          <label className="check small" title="How a loaded recording is replayed (presenter mode)">
            Replay
            <select value={p.replaySpeed ?? 0} onChange={(e) => p.onReplaySpeed?.(Number(e.target.value))} aria-label="Replay speed">
              <option value={0}>at once</option>
              <option value={1}>real time</option>
              <option value={10}>10× faster</option>
            </select>
          </label>
        ) : null}
        <button type="button" onClick={() => file.current?.click()}>
          Load recording
        </button>
        {s.sourceState.kind === 'recorded' ? (
          <button type="button" onClick={p.onGoLive}>
            Back to live
          </button>
        ) : null}
        <button type="button" onClick={p.onExport} disabled={s.total === 0}>
          Save recording
        </button>
        <button type="button" className="ghost" onClick={p.onClear}>
          Clear
        </button>
      </div>
      {p.recordingError ? (
        <div className="callout error" role="alert" style={{ marginBottom: 10 }}>
          {p.recordingError}
        </div>
      ) : null}
      {p.selected ? (
        <TraceView {...p} selected={p.selected} />
      ) : (
        <>
          <FlowFilters
            filter={s.filter}
            facets={s.facets}
            paused={s.paused}
            pending={s.pending}
            onChange={p.onFilter}
            onPause={p.onPause}
            {...(p.onShowConsole ? { showConsole: s.showConsole, onShowConsole: p.onShowConsole } : {})}
          />
          {s.visible.length === 0 ? (
            <div className="panel">
              <EmptyState
                title={
                  s.total === 0 ? 'No flow events yet' : s.consoleHidden === s.total ? "Only the console's own traffic so far" : 'No events match the filters'
                }
              >
                {s.total === 0
                  ? 'Run the agent (Agent page) or load a recording: each step of each trace appears here as it happens.'
                  : s.consoleHidden === s.total
                    ? "So far only the console's own sign-in and admin traffic: run the agent, or switch on “Show console traffic”."
                    : 'Clear a filter to see more.'}
              </EmptyState>
            </div>
          ) : (
            <>
              <p className="muted small" style={{ margin: '0 0 6px' }}>
                Select an event to open its whole trace as a sequence diagram.
              </p>
              <FlowList events={s.visible} selectedId={p.lastSelectedId} onSelect={p.onSelect} follow={!s.paused} />
            </>
          )}
        </>
      )}
    </div>
  );
}

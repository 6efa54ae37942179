import type { FlowEvent } from '@xaa/protocol';
import { LANES, laneOf, legOf } from '../../lib/trace.ts';

export interface TraceSwimlaneProps {
  events: readonly FlowEvent[];
  expandedId: string | undefined;
  onToggle: (event: FlowEvent) => void;
}

/** One row per step, placed in its party's lane: IdP · Client · AS · MCP server. */
export function TraceSwimlane({ events, expandedId, onToggle }: TraceSwimlaneProps) {
  return (
    <table className="lanes" aria-label="Trace swimlane">
      <thead>
        <tr>
          {LANES.map((l) => (
            <th key={l.id} scope="col" className="lane-head">
              {l.title}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {events.map((e) => {
          const lane = laneOf(e.party);
          return (
            <tr key={e.id}>
              {LANES.map((l) => (
                <td key={l.id}>
                  {l.id === lane ? (
                    <button type="button" className={`step ${e.outcome}`} aria-expanded={expandedId === e.id} onClick={() => onToggle(e)} data-step={e.step}>
                      <span className="step-name">{e.step}</span>
                      {e.outcome !== 'ok' ? <span className="visually-hidden"> ({e.outcome})</span> : null}
                      <span className="step-sum" title={e.summary}>
                        {e.summary}
                      </span>
                      <span className="muted small" style={{ display: 'block' }}>
                        {e.party} · {legOf(e.step)}
                      </span>
                    </button>
                  ) : null}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

import type { FlowEvent } from '@xaa/protocol';
import { type CSSProperties, useState } from 'react';
import { arrowOf, captionOf, LANES, type LaneId, legOf, type SequenceRow, sequenceRows } from '../../lib/trace.ts';

export interface SequenceDiagramProps {
  events: readonly FlowEvent[];
  /** The step whose detail is shown beside the diagram. */
  selectedId: string | undefined;
  onSelect: (event: FlowEvent) => void;
}

const index = (lane: LaneId) => LANES.findIndex((l) => l.id === lane);

/** Lane heads name the server when the trace talks to one (most do). */
function laneTitles(events: readonly FlowEvent[]): Record<LaneId, string> {
  const servers = [...new Set(events.map((e) => /^(?:as|mcp):(.+)$/.exec(e.party)?.[1]).filter((s): s is string => Boolean(s)))];
  const one = servers.length === 1 ? servers[0] : undefined;
  return {
    idp: 'IdP',
    client: 'Client',
    as: one ? `AS · ${one}` : 'Authorization server',
    mcp: one ? `MCP · ${one}` : 'MCP server',
  };
}

function Row({ event, selected, onSelect }: { event: FlowEvent; selected: boolean; onSelect: (e: FlowEvent) => void }) {
  const a = arrowOf(event);
  const from = index(a.from);
  const to = index(a.to);
  const lo = Math.min(from, to);
  const hi = Math.max(from, to);
  const caption = captionOf(event);
  const vars = { '--lo': lo, '--hi': hi, '--lane': from } as CSSProperties;
  const direction = a.kind === 'self' ? 'self' : a.kind === 'round-trip' ? 'both' : to > from ? 'right' : 'left';
  return (
    <li className="seq-row">
      <button
        type="button"
        className={`seq-step ${event.outcome} ${direction}${a.kind === 'self' && from === LANES.length - 1 ? ' last-lane' : ''}`}
        style={vars}
        aria-pressed={selected}
        onClick={() => onSelect(event)}
        data-step={event.step}
        data-id={event.id}
        data-from={a.from}
        data-to={a.to}
        data-outcome={event.outcome}
        title={event.summary}
      >
        <span className="seq-label">
          <span className="seq-name">{event.step}</span>
          {event.outcome !== 'ok' ? <span className={`badge ${event.outcome}`}>{event.outcome}</span> : null}
          {caption ? <span className="seq-caption"> {caption}</span> : null}
        </span>
        {a.kind === 'self' ? <span className="seq-self" aria-hidden="true" /> : <span className="seq-arrow" aria-hidden="true" />}
        <span className="seq-sum">{event.summary}</span>
        <span className="visually-hidden">
          {a.kind === 'self' ? `inside ${event.party}` : `${a.from} ${a.kind === 'round-trip' ? '⇄' : '→'} ${a.to}`} · {legOf(event.step)}
        </span>
      </button>
    </li>
  );
}

function Group({ row, open, onToggle }: { row: Extract<SequenceRow, { kind: 'group' }>; open: boolean; onToggle: () => void }) {
  const lane = index(arrowOf(row.events[0] as FlowEvent).from);
  return (
    <li className="seq-row">
      <button
        type="button"
        className={`seq-step ok self seq-group${lane === LANES.length - 1 ? ' last-lane' : ''}`}
        style={{ '--lo': lane, '--hi': lane, '--lane': lane } as CSSProperties}
        aria-expanded={open}
        onClick={onToggle}
        data-step={row.step}
        data-group={row.events.length}
        title={`${row.events.length} ${row.step} steps, all passed`}
      >
        <span className="seq-label">
          <span className="seq-name">{row.step}</span> <span className="seq-caption">× {row.events.length} ✓</span>
        </span>
        <span className="seq-self stacked" aria-hidden="true" />
        <span className="seq-sum">{open ? 'Hide the checks' : 'Show each check'}</span>
      </button>
    </li>
  );
}

/**
 * One trace as a sequence diagram across IdP · Client · AS · MCP server: one row per step, in time
 * order, with an arrow between the parties it passed between. A run of passing checks folds into one
 * row. Each row is a button that shows the step's detail.
 */
export function SequenceDiagram({ events, selectedId, onSelect }: SequenceDiagramProps) {
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  const titles = laneTitles(events);
  const rows = sequenceRows(events);
  const isOpen = (row: Extract<SequenceRow, { kind: 'group' }>) => opened.has(row.key) || row.events.some((e) => e.id === selectedId);
  // The steps a reader can reach, in order: ↑ and ↓ move the selection (presenting without a mouse).
  const reachable = rows.flatMap((r) => (r.kind === 'event' ? [r.event] : isOpen(r) ? r.events : []));
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const i = reachable.findIndex((x) => x.id === selectedId);
    const next = reachable[e.key === 'ArrowDown' ? Math.min(reachable.length - 1, i + 1) : Math.max(0, i - 1)];
    if (!next) return;
    e.preventDefault();
    onSelect(next);
    const target = (e.currentTarget as HTMLElement).querySelector<HTMLButtonElement>(`button[data-id="${CSS.escape(next.id)}"]`);
    target?.focus();
  };
  return (
    <div className="seq">
      <div className="seq-heads" aria-hidden="true">
        {LANES.map((l) => (
          <span key={l.id} className={`seq-head lane-${l.id}`}>
            {titles[l.id]}
          </span>
        ))}
      </div>
      <div className="seq-lifelines" aria-hidden="true">
        {LANES.map((l, i) => (
          <span key={l.id} className="seq-lifeline" style={{ '--lane': i } as CSSProperties} />
        ))}
      </div>
      <ol className="seq-rows" aria-label="Sequence diagram" onKeyDown={onKeyDown}>
        {rows.map((row) => {
          if (row.kind === 'event') return <Row key={row.event.id} event={row.event} selected={row.event.id === selectedId} onSelect={onSelect} />;
          const open = isOpen(row);
          const toggle = () =>
            setOpened((s) => {
              const next = new Set(s);
              if (next.has(row.key)) next.delete(row.key);
              else next.add(row.key);
              return next;
            });
          return [
            <Group key={row.key} row={row} open={open} onToggle={toggle} />,
            ...(open ? row.events.map((e) => <Row key={e.id} event={e} selected={e.id === selectedId} onSelect={onSelect} />) : []),
          ];
        })}
      </ol>
    </div>
  );
}

import { useVirtualizer } from '@tanstack/react-virtual';
import type { FlowEvent } from '@xaa/protocol';
import { useEffect, useRef } from 'react';

export interface FlowListProps {
  events: readonly FlowEvent[];
  selectedId: string | undefined;
  onSelect: (event: FlowEvent) => void;
  /** Keep the newest row in view while the user has not scrolled away from the bottom. */
  follow?: boolean;
}

const ROW = 50;

/** Virtualised event list (TanStack Virtual): 10,000 rows cost what 30 visible rows cost. */
export function FlowList({ events, selectedId, onSelect, follow = true }: FlowListProps) {
  const parent = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const virtualizer = useVirtualizer({ count: events.length, getScrollElement: () => parent.current, estimateSize: () => ROW, overscan: 12 });

  useEffect(() => {
    if (follow && atBottom.current && events.length > 0) virtualizer.scrollToIndex(events.length - 1, { align: 'end' });
  }, [events.length, follow, virtualizer]);
  // Coming back to the list (from a trace): the row last opened is in view.
  const initialSelected = useRef(selectedId);
  useEffect(() => {
    const i = initialSelected.current ? events.findIndex((e) => e.id === initialSelected.current) : -1;
    if (i >= 0) {
      atBottom.current = i >= events.length - 2;
      virtualizer.scrollToIndex(i, { align: 'center' });
    }
  }, []);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    e.preventDefault();
    const i = events.findIndex((x) => x.id === selectedId);
    const next = e.key === 'ArrowDown' ? Math.min(events.length - 1, i + 1) : Math.max(0, i < 0 ? events.length - 1 : i - 1);
    const ev = events[next];
    if (ev) {
      onSelect(ev);
      virtualizer.scrollToIndex(next);
    }
  };

  return (
    <div
      ref={parent}
      className="flow-list"
      role="listbox"
      aria-label={`Flow events (${events.length})`}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-count={events.length}
      onScroll={(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < ROW * 2;
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((row) => {
          const e = events[row.index] as FlowEvent;
          return (
            <div
              key={e.id}
              role="option"
              tabIndex={-1}
              aria-selected={e.id === selectedId}
              className="flow-row"
              style={{ top: row.start, height: ROW }}
              onClick={() => onSelect(e)}
              onKeyDown={(k) => k.key === 'Enter' && onSelect(e)}
              data-step={e.step}
              data-outcome={e.outcome}
            >
              <span className="time">{e.time.slice(11, 19)}</span>
              <span className="meta">
                {e.party} · {e.step}
              </span>
              <span className={`badge ${e.outcome}`}>{e.outcome}</span>
              <span className="sum" title={e.summary}>
                {e.summary}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

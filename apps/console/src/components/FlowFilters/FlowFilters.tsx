import { shortTraceId } from '@xaa/protocol';
import type { FlowFilter, FlowLogSnapshot } from '../../state/flow-log-state.ts';

export interface FlowFiltersProps {
  filter: FlowFilter;
  facets: FlowLogSnapshot['facets'];
  paused: boolean;
  pending: number;
  onChange: (filter: FlowFilter) => void;
  onPause: (paused: boolean) => void;
  /** The console's own sign-in and admin-API traffic: hidden unless switched on. */
  showConsole?: boolean;
  onShowConsole?: (show: boolean) => void;
}

export function FlowFilters({ filter, facets, paused, pending, onChange, onPause, showConsole, onShowConsole }: FlowFiltersProps) {
  const select = (key: 'user' | 'app' | 'server', label: string, options: string[]) => (
    <label className="field">
      {label}
      <select
        value={filter[key] ?? ''}
        onChange={(e) => onChange({ ...filter, [key]: e.target.value || undefined })}
        aria-label={`Filter by ${label.toLowerCase()}`}
      >
        <option value="">All</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
      {select('user', 'User', facets.users)}
      {select('app', 'App', facets.apps)}
      {select('server', 'Server', facets.servers)}
      <label className="field">
        Outcome
        <select
          value={filter.outcome ?? ''}
          onChange={(e) => onChange({ ...filter, outcome: (e.target.value || undefined) as FlowFilter['outcome'] })}
          aria-label="Filter by outcome"
        >
          <option value="">All</option>
          <option value="ok">ok</option>
          <option value="denied">denied</option>
          <option value="error">error</option>
        </select>
      </label>
      <label className="field">
        Search
        <input
          type="search"
          value={filter.text ?? ''}
          placeholder="step, summary, error…"
          onChange={(e) => onChange({ ...filter, text: e.target.value || undefined })}
        />
      </label>
      {filter.traceId ? (
        <span className="badge brand" style={{ alignSelf: 'center' }}>
          {`Trace …${shortTraceId(filter.traceId)}`}
          <button
            type="button"
            className="ghost small"
            style={{ padding: '0 4px' }}
            aria-label="Show all traces"
            onClick={() => {
              const { traceId: _t, ...rest } = filter;
              onChange(rest);
            }}
          >
            ✕
          </button>
        </span>
      ) : null}
      {onShowConsole ? (
        <label className="check console-switch" title="The console's own sign-in at the IdP, the renewals of its admin-API tokens and admin changes">
          <input
            type="checkbox"
            role="switch"
            aria-checked={showConsole ?? false}
            checked={showConsole ?? false}
            onChange={(e) => onShowConsole(e.target.checked)}
          />
          Show console traffic
        </label>
      ) : null}
      <button type="button" onClick={() => onPause(!paused)} aria-pressed={paused}>
        {paused ? `▶ Resume${pending ? ` (${pending} new)` : ''}` : '❚❚ Pause'}
      </button>
    </form>
  );
}

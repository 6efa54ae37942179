import type { ScenarioInfo } from '../../api/scenarios.ts';

export interface ScenarioListProps {
  scenarios: readonly ScenarioInfo[];
  selected?: string;
  onSelect: (id: string) => void;
}

/** The demo stories, in the order a presenter tells them. */
export function ScenarioList({ scenarios, selected, onSelect }: ScenarioListProps) {
  return (
    <ul className="scenario-list" aria-label="Stories">
      {scenarios.map((s, i) => (
        <li key={s.id}>
          <button
            type="button"
            className={`scenario-card${s.id === selected ? ' selected' : ''}`}
            aria-current={s.id === selected ? 'true' : undefined}
            data-testid={`scenario-${s.id}`}
            onClick={() => onSelect(s.id)}
          >
            <span className="scenario-card-head">
              <span className="scenario-number" aria-hidden="true">
                {i + 1}
              </span>
              <span className="scenario-title">{s.title}</span>
              <span className="badge">{s.steps.length} steps</span>
            </span>
            <span className="scenario-summary">{s.summary}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

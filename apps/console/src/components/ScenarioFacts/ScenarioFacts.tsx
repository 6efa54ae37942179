import type { ComparisonColumns, ComparisonRow, Fact } from '../../api/scenarios.ts';

/** Seconds left until `to` (seconds since the epoch), live as `now` ticks. */
export function Countdown({ to, now }: { to: number; now: number }) {
  const left = Math.max(0, Math.round(to - now));
  return (
    <span className="countdown" data-testid="countdown" data-left={left} aria-live="off">
      {left > 0 ? (
        <>
          <span className="countdown-value">{left}</span> s
        </>
      ) : (
        'expired'
      )}
    </span>
  );
}

export interface FactListProps {
  facts: readonly Fact[];
  now: number;
  /** `large`: the presenter view's tiles. */
  size?: 'normal' | 'large';
}

/** The facts of a step's result; a `countdownTo` fact counts down in seconds. */
export function FactList({ facts, now, size = 'normal' }: FactListProps) {
  if (facts.length === 0) return null;
  return (
    <dl className={`facts facts-${size}`}>
      {facts.map((f) => (
        <div key={f.label} className={`fact tone-${f.tone ?? 'neutral'}`} data-testid="fact">
          <dt>{f.label}</dt>
          <dd>{f.countdownTo !== undefined ? <Countdown to={f.countdownTo} now={now} /> : String(f.value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Classic OAuth vs XAA, side by side (the consent-vs-XAA story's last step). */
export function ComparisonTable({
  rows,
  size = 'normal',
  columns = { classic: 'Classic OAuth', xaa: 'With XAA' },
}: {
  rows: readonly ComparisonRow[];
  size?: 'normal' | 'large';
  columns?: ComparisonColumns | undefined;
}) {
  return (
    <table className={`comparison comparison-${size}`} data-testid="comparison">
      <caption className="visually-hidden">
        {columns.classic} compared with {columns.xaa}
      </caption>
      <thead>
        <tr>
          <th scope="col" />
          <th scope="col" className="classic">
            {columns.classic}
          </th>
          <th scope="col" className="xaa">
            {columns.xaa}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.label} data-row={r.label}>
            <th scope="row">{r.label}</th>
            <td className="classic" data-col="classic">
              {r.classic}
            </td>
            <td className="xaa" data-col="xaa">
              {r.xaa}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import { ID_JAG_CLAIM_DOCS } from '@xaa/protocol/id-jag/lint';

const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time']);

function show(claim: string, value: unknown): string {
  if (TIME_CLAIMS.has(claim) && typeof value === 'number') return `${value}  (${new Date(value * 1000).toISOString()})`;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface TokenDetailsProps {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Hide the explanation column (compact views). */
  compact?: boolean;
}

/** Decoded header and claims, each claim explained with its spec clause. */
export function TokenDetails({ header, claims, compact }: TokenDetailsProps) {
  return (
    <div className="stack">
      <div>
        <h3>Header</h3>
        <table className="data claims">
          <tbody>
            {Object.entries(header).map(([k, v]) => (
              <tr key={k}>
                <td>{k}</td>
                <td className="value">{show(k, v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div>
        <h3>Claims</h3>
        <table className="data claims">
          <thead>
            <tr>
              <th scope="col">Claim</th>
              <th scope="col">Value</th>
              {compact ? null : <th scope="col">Meaning</th>}
            </tr>
          </thead>
          <tbody>
            {Object.entries(claims).map(([k, v]) => {
              const doc = ID_JAG_CLAIM_DOCS[k];
              return (
                <tr key={k}>
                  <td>{k}</td>
                  <td className="value">{show(k, v)}</td>
                  {compact ? null : (
                    <td>
                      {doc ? (
                        <>
                          {doc.meaning} <span className="spec">{doc.specRef}</span>
                        </>
                      ) : (
                        <span className="muted">Not defined for ID-JAGs; carried as-is.</span>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

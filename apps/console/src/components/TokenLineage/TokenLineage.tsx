import type { LineageHop } from '../../lib/trace.ts';

const fmt = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
const TIME = new Set(['iat', 'exp', 'nbf', 'auth_time', 'jti', 'cnf']);

/** The DPoP key at this hop (RFC 9449): ID-JAG cnf → access token cnf → each call's proof, same key or not. */
function KeyChip({ hop, previous }: { hop: LineageHop; previous: LineageHop | undefined }) {
  if (!hop.jkt)
    return (
      <div className="small muted" data-testid="lineage-key" data-jkt="">
        bearer (no key)
      </div>
    );
  const same = previous?.jkt !== undefined && previous.jkt === hop.jkt;
  return (
    <div className="small" data-testid="lineage-key" data-jkt={hop.jkt} title={hop.jkt}>
      {hop.role === 'tool_call' ? 'proof key' : 'cnf.jkt'} <span className="mono">{hop.jkt.slice(0, 12)}…</span>
      {same ? <span className="badge ok"> same key</span> : null}
    </div>
  );
}

/** ID token → ID-JAG → access token → tool calls, with the claims that changed at each hop. */
export function TokenLineage({ hops }: { hops: readonly LineageHop[] }) {
  if (hops.length === 0) return <p className="muted">No tokens in this trace.</p>;
  return (
    <section className="lineage" aria-label="Token lineage">
      {hops.map((hop, i) => (
        <div key={hop.eventId + hop.role} style={{ display: 'contents' }}>
          {i > 0 ? (
            <span className="hop-arrow" aria-hidden="true">
              →
            </span>
          ) : null}
          <div className="hop" data-role={hop.role}>
            <h4>{hop.title}</h4>
            <div className="muted small mono">{hop.party}</div>
            {hop.call ? (
              <div>
                <span className="mono">{hop.call.name}</span> <span className={`badge ${hop.call.outcome}`}>{hop.call.outcome}</span>
              </div>
            ) : null}
            {hop.role !== 'id_token' ? <KeyChip hop={hop} previous={hops[i - 1]} /> : null}
            {hop.token && !hop.changes ? (
              <div className="small">
                <div>
                  sub <span className="mono">{fmt(hop.token.claims.sub)}</span>
                </div>
                <div>
                  aud <span className="mono">{fmt(hop.token.claims.aud)}</span>
                </div>
              </div>
            ) : null}
            {hop.changes ? (
              <ul className="small" style={{ margin: 0, paddingLeft: 16 }}>
                {hop.changes
                  .filter((c) => c.kind !== 'same' && !TIME.has(c.claim))
                  .map((c) => (
                    <li key={c.claim} className={`diff-${c.kind}`}>
                      <span className="mono">{c.claim}</span>
                      {c.kind === 'added' ? ` + ${fmt(c.after)}` : c.kind === 'removed' ? ` − ${fmt(c.before)}` : `: ${fmt(c.before)} → ${fmt(c.after)}`}
                    </li>
                  ))}
              </ul>
            ) : null}
          </div>
        </div>
      ))}
    </section>
  );
}

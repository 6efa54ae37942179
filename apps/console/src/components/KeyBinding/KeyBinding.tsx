/**
 * What a token's key binding means, in words (RFC 9449; RFC 7800 `cnf`): a DPoP proof, a token bound
 * to a DPoP key (`cnf.jkt`), or a plain bearer token that anyone holding a copy can use.
 */

export interface KeyBindingProps {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** For a DPoP proof: the RFC 7638 thumbprint of the key in its header, when known. */
  proofJkt?: string | undefined;
}

const typOf = (h: Record<string, unknown>) => (typeof h.typ === 'string' ? h.typ.toLowerCase().replace(/^application\//, '') : '');

export function boundJkt(claims: Record<string, unknown>): string | undefined {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return cnf && typeof cnf === 'object' && typeof cnf.jkt === 'string' ? cnf.jkt : undefined;
}

export function KeyBinding({ header, claims, proofJkt }: KeyBindingProps) {
  const typ = typOf(header);
  if (typ === 'dpop+jwt') {
    return (
      <div className="callout info" data-testid="key-binding" data-binding="proof">
        <strong>DPoP proof</strong> <span className="spec">RFC 9449 §4.2</span>
        <div>
          Signed by the private key whose public half is in the header (<span className="mono">jwk</span>
          {proofJkt ? (
            <>
              , thumbprint <span className="mono">{proofJkt}</span>
            </>
          ) : null}
          ). It proves possession for one request only: <span className="mono">{String(claims.htm ?? '?')}</span>{' '}
          <span className="mono">{String(claims.htu ?? '?')}</span>, at <span className="mono">iat</span>, with a unique <span className="mono">jti</span>
          {typeof claims.ath === 'string' ? (
            <>
              , and <span className="mono">ath</span> ties it to one access token (RFC 9449 §4.3 step 12)
            </>
          ) : null}
          .
        </div>
      </div>
    );
  }
  const jkt = boundJkt(claims);
  const isIdJag = typ === 'oauth-id-jag+jwt';
  const isAccessToken = typ === 'at+jwt';
  if (jkt) {
    return (
      <div className="callout ok" data-testid="key-binding" data-binding="dpop">
        <strong>Sender-constrained: bound to a DPoP key</strong> <span className="spec">RFC 9449 §6, RFC 7800 (cnf)</span>
        <div>
          <span className="mono">cnf.jkt</span> = <span className="mono">{jkt}</span>, the SHA-256 thumbprint (RFC 7638) of the client's public key. Only a
          client holding the matching private key can use this token: a copy taken from a log or a proxy is useless on its own.
        </div>
        {isIdJag ? (
          <div className="small">
            The resource authorization server redeems it only with a DPoP proof signed by that key, and binds the access token to the same key (draft-04
            §9.8.1.2). Without a proof, or with another key, it answers <span className="mono">invalid_grant</span>.
          </div>
        ) : isAccessToken || !isIdJag ? (
          <div className="small">
            The MCP server accepts it only as <span className="mono">Authorization: DPoP</span> with a fresh proof by that key for each request, carrying{' '}
            <span className="mono">ath</span> (RFC 9449 §7.1); sent as <span className="mono">Bearer</span> it is refused (RFC 9449 §7.2).
          </div>
        ) : null}
      </div>
    );
  }
  if (!isIdJag && !isAccessToken) return null;
  return (
    <div className="callout denied" data-testid="key-binding" data-binding="bearer">
      <strong>Bearer: bound to no key</strong> <span className="spec">RFC 6750 §5</span>
      <div>
        No <span className="mono">cnf</span> claim: whoever holds a copy of this {isIdJag ? 'ID-JAG' : 'access token'} can use it until it expires. A client
        that sends a DPoP proof {isIdJag ? 'with the token exchange' : 'to the authorization server'} gets a key-bound token instead (RFC 9449).
      </div>
    </div>
  );
}

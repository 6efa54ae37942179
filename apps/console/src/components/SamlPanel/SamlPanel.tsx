import type { SamlInfo } from '../../api/types.ts';

const time = (s: number) => new Date(s * 1000).toISOString().replace('T', ' ').slice(0, 19);
const shortFormat = (f: string) => f.split(':').pop() ?? f;

/**
 * The IdP as a SAML 2.0 identity provider: its entity ID and metadata, the signing certificates (they
 * rotate with the signing keys; a retired one stays published for the overlap), and the SAML apps.
 */
export function SamlPanel({ info }: { info: SamlInfo }) {
  return (
    <div className="stack" data-testid="saml-panel">
      <dl className="facts">
        <dt>Entity ID</dt>
        <dd className="mono">{info.entity_id}</dd>
        <dt>Metadata</dt>
        <dd>
          <a href={info.metadata_url} target="_blank" rel="noopener noreferrer" className="mono">
            {info.metadata_url}
          </a>
        </dd>
        <dt>SSO (HTTP-Redirect, HTTP-POST)</dt>
        <dd className="mono">{info.sso_url}</dd>
      </dl>
      <table className="data" aria-label="SAML signing certificates">
        <thead>
          <tr>
            <th scope="col">Certificate (SHA-256)</th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Valid until</th>
          </tr>
        </thead>
        <tbody>
          {info.certificates.map((c) => (
            <tr key={c.id}>
              <td className="mono small" title={c.subject}>
                {c.fingerprint_sha256.slice(0, 23)}…
              </td>
              <td>
                {c.current ? (
                  <span className="badge ok">signing</span>
                ) : (
                  <span className="badge">retired · in metadata until {c.published_until ? time(c.published_until).slice(11) : '—'}</span>
                )}
              </td>
              <td className="small">{time(c.created_at)}</td>
              <td className="small">{time(c.not_after).slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="data" aria-label="SAML apps">
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col">SP entity ID</th>
            <th scope="col">ACS URL</th>
            <th scope="col">NameID</th>
            <th scope="col">Signed requests</th>
          </tr>
        </thead>
        <tbody>
          {info.apps.length === 0 ? (
            <tr>
              <td colSpan={5} className="muted">
                No app signs in with SAML.
              </td>
            </tr>
          ) : (
            info.apps.map((a) => (
              <tr key={a.client_id}>
                <td>{a.client_id}</td>
                <td className="mono small">{a.entity_id}</td>
                <td className="mono small">{a.acs_urls.join(' ')}</td>
                <td>{shortFormat(a.name_id_format)}</td>
                <td>{a.authn_requests_signed ? 'required' : 'no'}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
      <p className="muted small">
        The SAML signing certificate rotates with the signing key (⟳ above); the previous one stays in the metadata and is still accepted in token exchange for{' '}
        {Math.round(info.overlap_seconds / 60)} min. An app signed in with SAML presents its Assertion as a <code>saml2</code> subject token (docs/saml.md).
      </p>
    </div>
  );
}

import type { SamlInfo } from '@xaa/admin-contracts/idp';
import { useState } from 'react';

const time = (s: number) => new Date(s * 1000).toISOString().replace('T', ' ').slice(0, 19);
const shortFormat = (f: string) => f.split(':').pop() ?? f;

/**
 * The IdP as a SAML 2.0 identity provider: its entity ID and metadata, the signing certificates (they
 * rotate with the signing keys; a retired one stays published for the overlap), and the SAML apps.
 */
export interface SamlPanelProps {
  info: SamlInfo;
  /** Client apps (kind app) that may get a SAML registration. */
  apps?: ReadonlyArray<{ client_id: string; title: string }>;
  busy?: boolean;
  onSave?: (clientId: string, input: { entity_id: string; acs_urls: string[]; name_id_format: string }) => void;
  onRemove?: (clientId: string) => void;
}

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export function SamlPanel({ info, apps = [], busy = false, onSave, onRemove }: SamlPanelProps) {
  const [clientId, setClientId] = useState(apps[0]?.client_id ?? '');
  const [entityId, setEntityId] = useState('');
  const [acs, setAcs] = useState('');
  const [format, setFormat] = useState(PERSISTENT);
  const pick = (id: string) => {
    setClientId(id);
    const reg = info.apps.find((a) => a.client_id === id);
    setEntityId(reg?.entity_id ?? '');
    setAcs(reg?.acs_urls.join(' ') ?? '');
    setFormat(reg?.name_id_format ?? PERSISTENT);
  };
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
            {onRemove ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
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
                {onRemove ? (
                  <td>
                    <button type="button" className="ghost small" disabled={busy} onClick={() => onRemove(a.client_id)}>
                      Remove
                    </button>
                  </td>
                ) : null}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {onSave ? (
        <form
          className="stack"
          aria-label="SAML registration"
          onSubmit={(e) => {
            e.preventDefault();
            onSave(clientId, { entity_id: entityId.trim(), acs_urls: acs.split(/\s+/).filter(Boolean), name_id_format: format });
          }}
        >
          <h3 style={{ margin: 0 }}>Add or change an app's SAML registration</h3>
          <div className="row">
            <label className="field">
              App
              <select value={clientId} onChange={(e) => pick(e.target.value)} name="saml-app">
                {apps.map((a) => (
                  <option key={a.client_id} value={a.client_id}>
                    {a.title}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              SP entity ID
              <input type="text" value={entityId} onChange={(e) => setEntityId(e.target.value)} name="saml-entity-id" required />
            </label>
            <label className="field">
              ACS URL(s)
              <input type="text" value={acs} onChange={(e) => setAcs(e.target.value)} name="saml-acs" required />
            </label>
            <label className="field">
              NameID
              <select value={format} onChange={(e) => setFormat(e.target.value)} name="saml-nameid">
                <option value={PERSISTENT}>persistent (the user's stable id)</option>
                <option value={EMAIL}>emailAddress</option>
              </select>
            </label>
          </div>
          <div>
            <button type="submit" className="primary" disabled={busy || !clientId}>
              Save SAML registration
            </button>
          </div>
        </form>
      ) : null}
      <p className="muted small">
        The SAML signing certificate rotates with the signing key (⟳ above); the previous one stays in the metadata and is still accepted in token exchange for{' '}
        {Math.round(info.overlap_seconds / 60)} min. An app signed in with SAML presents its Assertion as a <code>saml2</code> subject token (docs/saml.md).
      </p>
    </div>
  );
}

import { type LintFinding, lintIdJag } from '@xaa/protocol/id-jag/lint';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { useEffect, useMemo, useState } from 'react';
import { decodeSaml, type SamlView } from '../../lib/saml-view.ts';
import { KeyBinding } from '../KeyBinding/KeyBinding.tsx';
import { TokenDetails } from '../TokenDetails/TokenDetails.tsx';

export type VerifyState =
  | { state: 'idle' }
  | { state: 'checking' }
  | { state: 'done'; verified: true; label: string; issuer: string; kid?: string; alg: string; jwksUri: string }
  | { state: 'done'; verified: false; reason: string; code: string; label?: string }
  | { state: 'failed'; message: string };

export interface TokenInspectorProps {
  token: string;
  onTokenChange: (token: string) => void;
  verify: VerifyState;
  /** Injected clock (seconds) so fixtures render deterministically. */
  now?: number;
}

const ICON = { pass: '✓', error: '✗', warning: '!', info: 'i' } as const;

function Finding({ f }: { f: LintFinding }) {
  return (
    <div className={`finding ${f.ok ? 'pass' : `fail ${f.level}`}`} data-rule={f.rule} data-ok={f.ok}>
      <span className="icon" title={f.ok ? 'passes' : f.level}>
        {f.ok ? ICON.pass : ICON[f.level]}
        <span className="visually-hidden">{f.ok ? 'passes' : f.level}</span>
      </span>
      <div>
        <div style={{ fontWeight: 600 }}>{f.title}</div>
        <div className="small muted">{f.detail}</div>
      </div>
      <span className="spec">{f.specRef}</span>
    </div>
  );
}

export function TokenInspector({ token, onTokenChange, verify, now }: TokenInspectorProps) {
  const trimmed = token.trim();
  const result = useMemo(() => (trimmed ? lintIdJag(trimmed, now !== undefined ? { now } : {}) : undefined), [trimmed, now]);
  const [h, p, s] = trimmed.split('.');
  const nowSeconds = now ?? Math.floor(Date.now() / 1000);
  const saml = useMemo(() => (trimmed && result && !result.decoded ? decodeSaml(trimmed, nowSeconds) : undefined), [trimmed, result, nowSeconds]);
  const failedFirst = result ? [...result.findings].sort((a, b) => Number(a.ok) - Number(b.ok)) : [];
  const proofJkt = useProofThumbprint(result?.decoded ? result.header : undefined);
  return (
    <div className="stack">
      <div className="panel">
        <label className="field" htmlFor="jwt-input">
          JWT or SAML
          <span className="hint">
            Paste an ID-JAG, an ID token or an access token — or a SAML Response or Assertion (XML, base64 or base64url). It is decoded in your browser; only a
            JWT's signature check goes to the console backend.
          </span>
        </label>
        <textarea
          id="jwt-input"
          rows={5}
          spellCheck={false}
          value={token}
          placeholder="eyJ0eXAiOiJvYXV0aC1pZC1qYWcrand0Ii..."
          onChange={(e) => onTokenChange(e.target.value)}
          aria-invalid={result ? !result.decoded : undefined}
        />
        {trimmed && h !== undefined && !saml ? (
          <div className="segments" style={{ marginTop: 10 }} title="Token parts: header, claims, signature">
            <span className="seg-h">{h}</span>.<span className="seg-p">{p}</span>.<span className="seg-s">{s}</span>
          </div>
        ) : null}
      </div>
      {!result ? null : saml && 'kind' in saml ? (
        <SamlDetails view={saml} />
      ) : saml ? (
        <div className="callout error" role="alert">
          Not a usable SAML message: {saml.error}
        </div>
      ) : !result.decoded ? (
        <div className="callout error" role="alert">
          Not a JWT: a compact JWS has three base64url parts separated by dots (RFC 7515 §7.1); nor a SAML 2.0 Response or Assertion.
        </div>
      ) : (
        <div className="grid-2">
          <div className="panel">
            <div className="row" style={{ marginBottom: 10 }}>
              <h2 style={{ margin: 0 }}>{result.isIdJag ? 'ID-JAG' : 'JWT'}</h2>
              <span className="spacer" />
              <SignatureBadge verify={verify} />
            </div>
            <KeyBinding header={result.header} claims={result.claims} proofJkt={proofJkt} />
            <TokenDetails header={result.header} claims={result.claims} />
          </div>
          <div className="panel">
            <div className="row" style={{ marginBottom: 8 }}>
              <h2 style={{ margin: 0 }}>ID-JAG rules</h2>
              <span className="spacer" />
              <span className={`badge ${result.summary.error ? 'error' : 'ok'}`} data-testid="lint-errors">
                {result.summary.error} error{result.summary.error === 1 ? '' : 's'}
              </span>
              <span className={`badge ${result.summary.warning ? 'denied' : 'ok'}`}>
                {result.summary.warning} warning{result.summary.warning === 1 ? '' : 's'}
              </span>
            </div>
            {!result.isIdJag ? (
              <p className="callout info small">
                This token is not typed <span className="mono">oauth-id-jag+jwt</span>. The rules below show why a resource AS must refuse it as an ID-JAG.
              </p>
            ) : null}
            <ul aria-label="Lint findings" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
              {failedFirst.map((f) => (
                <li key={f.rule}>
                  <Finding f={f} />
                </li>
              ))}
            </ul>
          </div>
        </div>
      )}
    </div>
  );
}

/** The RFC 7638 thumbprint of a DPoP proof's header key (computed in the browser). */
function useProofThumbprint(header: Record<string, unknown> | undefined): string | undefined {
  const jwk = header?.typ === 'dpop+jwt' && header.jwk && typeof header.jwk === 'object' ? (header.jwk as JWK) : undefined;
  const key = jwk ? JSON.stringify(jwk) : undefined;
  const [jkt, setJkt] = useState<string | undefined>();
  useEffect(() => {
    setJkt(undefined);
    if (!key) return;
    let live = true;
    calculateJwkThumbprint(JSON.parse(key) as JWK).then(
      (t) => live && setJkt(t),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [key]);
  return jkt;
}

function SignatureBadge({ verify }: { verify: VerifyState }) {
  if (verify.state === 'checking') return <span className="badge info">Checking signature…</span>;
  if (verify.state === 'failed') return <span className="badge error">Signature check failed: {verify.message}</span>;
  if (verify.state !== 'done') return null;
  if (verify.verified)
    return (
      <span className="badge ok" data-testid="signature" title={verify.jwksUri}>
        ✓ Signed by {verify.label} (kid {verify.kid ?? '—'}, {verify.alg})
      </span>
    );
  return (
    <span className="badge error" data-testid="signature" title={verify.reason}>
      ✗ Signature: {verify.reason}
    </span>
  );
}

/** A decoded SAML Response or Assertion: its fields, attributes and what a relying party checks. */
function SamlDetails({ view }: { view: SamlView }) {
  const failedFirst = [...view.findings].sort((a, b) => Number(a.ok) - Number(b.ok));
  return (
    <div className="grid-2" data-testid="saml-details">
      <div className="panel">
        <div className="row" style={{ marginBottom: 10 }}>
          <h2 style={{ margin: 0 }}>SAML 2.0 {view.kind}</h2>
          <span className="spacer" />
          <span className="badge info" title="The IdP verifies it at token exchange; the SP library at its ACS">
            signature verified by the IdP and the SP, not here
          </span>
        </div>
        <table className="data" aria-label="SAML fields">
          <tbody>
            {view.fields.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td className="mono small">{v}</td>
              </tr>
            ))}
            {view.attributes.map(([k, v]) => (
              <tr key={`attr-${k}`}>
                <th scope="row">attribute {k}</th>
                <td className="small">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="panel">
        <h2 style={{ marginTop: 0 }}>SAML checks</h2>
        <ul aria-label="SAML findings" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
          {failedFirst.map((f) => (
            <li key={f.rule}>
              <Finding f={{ ...f, level: 'error' } as LintFinding} />
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

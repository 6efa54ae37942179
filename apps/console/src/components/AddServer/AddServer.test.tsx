import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { added, notReady, ready } from './AddServer.fixtures.ts';
import { ConfigureValues, Findings, RegisterForm } from './AddServer.tsx';

describe('Findings', () => {
  it('marks each step found, missing or pending, with what to change and the clause', () => {
    const html = renderToStaticMarkup(<Findings title="Not ready" findings={notReady.findings} />);
    expect(html).toContain('data-finding="as.jwt-bearer" data-status="missing"');
    expect(html).toContain('What to change:');
    expect(html).toContain('implement the RFC 7523 jwt-bearer grant');
    expect(html).toContain('RFC 7523 §2.1');
    expect(html).toContain('data-finding="as.trust" data-status="pending"');
    // Only a missing or doubtful step says what to change.
    expect(html.match(/What to change/g)).toHaveLength(1);
  });
});

describe('RegisterForm', () => {
  const props = { discovery: ready, apps: [{ name: 'acme-agent', title: 'Acme Agent' }], onChange: () => {}, onRegister: () => {}, busy: false };
  it('offers the scopes found and a proposed client by default', () => {
    const html = renderToStaticMarkup(
      <RegisterForm {...props} input={{ app: 'acme-agent', scopes: ['notes.read'], name: '', ownClient: false, clientId: '', clientSecret: '' }} />,
    );
    expect(html).toContain('<input type="checkbox" name="as-scope" checked="" value="notes.read"/>');
    expect(html).not.toContain('name="as-client-secret"');
  });
  it('asks for the client id and secret registered at their AS, and cannot submit without them', () => {
    const html = renderToStaticMarkup(
      <RegisterForm {...props} input={{ app: 'acme-agent', scopes: ['notes.read'], name: '', ownClient: true, clientId: '', clientSecret: '' }} />,
    );
    expect(html).toContain('name="as-client-secret"');
    expect(html).toMatch(/<button type="submit" class="primary" disabled="">/);
  });
});

describe('ConfigureValues', () => {
  it('names the issuer, the JWKS, what ID-JAGs carry and the client to register', () => {
    const html = renderToStaticMarkup(<ConfigureValues added={added} />);
    expect(html).toContain('data-value="trusted-issuer">http://localhost:4000<');
    expect(html).toContain('data-value="jwks-uri">http://localhost:4000/jwks<');
    expect(html).toContain('oauth-id-jag+jwt');
    expect(html).toContain('Register this client');
    expect(html).toContain('data-value="client-secret">generated-secret<');
  });
});

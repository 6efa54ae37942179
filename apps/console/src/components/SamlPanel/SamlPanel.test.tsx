import type { SamlInfo } from '@xaa/admin-contracts/idp';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SamlPanel } from './SamlPanel.tsx';

const info: SamlInfo = {
  entity_id: 'http://localhost:4000',
  metadata_url: 'http://localhost:4000/saml/metadata',
  sso_url: 'http://localhost:4000/saml/sso',
  overlap_seconds: 3630,
  now: 1_800_000_000,
  certificates: [
    {
      id: 'k2',
      current: true,
      created_at: 1_800_000_000,
      retired_at: null,
      published_until: null,
      subject: 'CN=x',
      not_after: 1_900_000_000,
      fingerprint_sha256: `${'ab:'.repeat(31)}ab`,
    },
    {
      id: 'k1',
      current: false,
      created_at: 1_799_000_000,
      retired_at: 1_800_000_000,
      published_until: 1_800_003_630,
      subject: 'CN=x',
      not_after: 1_900_000_000,
      fingerprint_sha256: `${'cd:'.repeat(31)}cd`,
    },
  ],
  apps: [
    {
      client_id: 'acme-desktop',
      entity_id: 'http://localhost:4200/saml/acme-desktop',
      acs_urls: ['http://localhost:4200/saml/acs'],
      name_id_format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      authn_requests_signed: false,
    },
  ],
};

describe('SamlPanel', () => {
  it('shows the IdP entity, the certificates in rotation and the SAML apps', () => {
    const html = renderToStaticMarkup(<SamlPanel info={info} />);
    expect(html).toContain('http://localhost:4000/saml/metadata');
    expect(html).toContain('signing');
    expect(html).toContain('retired · in metadata until');
    expect(html).toContain('acme-desktop');
    expect(html).toContain('persistent');
    expect(html).not.toContain('Save SAML registration');
  });

  it('offers the registration form and a remove button when editable', () => {
    const html = renderToStaticMarkup(
      <SamlPanel info={info} apps={[{ client_id: 'acme-agent', title: 'Acme Agent' }]} onSave={() => {}} onRemove={() => {}} />,
    );
    expect(html).toContain('Save SAML registration');
    expect(html).toContain('name="saml-entity-id"');
    expect(html).toContain('Remove');
  });
});

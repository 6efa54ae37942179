/**
 * Admin API for SAML: the IdP's SAML identity and certificates, and per-app SP registrations (an app is
 * OIDC, SAML or both). A registration made here is what Web SSO and the saml2 token exchange use.
 */
import { TOKEN_TYPE_SAML2 } from '@xaa/protocol';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOf, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';
import { driveSamlSso, fetchIdpMetadata, nodeSamlSp } from '../support/saml.ts';

let t: TestIdp;
let ops: string;
beforeAll(async () => {
  t = await startTestIdp();
  ops = await t.opsToken();
});
afterAll(async () => t?.close());

const AGENT_SP = { entity_id: 'http://sp.test/acme-agent', acs_url: 'http://sp.test/acs' };

describe('GET /admin/saml', () => {
  it('shows the entity ID, URLs, the current certificate and the registrations', async () => {
    const r = await t.admin('GET', '/admin/saml', undefined, ops);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ entity_id: t.idp.issuer, metadata_url: `${t.idp.issuer}/saml/metadata`, sso_url: `${t.idp.issuer}/saml/sso` });
    expect(r.body.certificates[0]).toMatchObject({ current: true, retired_at: null });
    expect(r.body.certificates[0].fingerprint_sha256).toMatch(/^([0-9a-f]{2}:){31}[0-9a-f]{2}$/);
    expect(r.body.apps.map((a: { client_id: string }) => a.client_id)).toContain('acme-desktop');
  });

  it('after a key rotation lists the new certificate as current and keeps the old one published', async () => {
    const before = (await t.admin('GET', '/admin/saml', undefined, ops)).body.certificates[0].id;
    await t.idp.rotateKeys();
    const after = (await t.admin('GET', '/admin/saml', undefined, ops)).body;
    expect(after.certificates[0].current).toBe(true);
    expect(after.certificates[0].id).not.toBe(before);
    const old = after.certificates.find((c: { id: string }) => c.id === before);
    expect(old).toMatchObject({ current: false });
    expect(old.published_until).toBeGreaterThan(after.now);
  });

  it('needs an admin token', async () => {
    expect((await t.admin('GET', '/admin/saml', undefined, '')).status).toBe(401);
  });
});

describe('/admin/apps/{id}/saml', () => {
  it('adds a SAML registration to an OIDC app, which Web SSO and token exchange then honour', async () => {
    const put = await t.admin('PUT', '/admin/apps/acme-agent/saml', { entity_id: AGENT_SP.entity_id, acs_urls: [AGENT_SP.acs_url] }, ops);
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    expect(put.body).toMatchObject({
      client_id: 'acme-agent',
      name_id_format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      authn_requests_signed: false,
    });
    expect((await t.admin('GET', '/admin/apps/acme-agent/saml', undefined, ops)).body.entity_id).toBe(AGENT_SP.entity_id);

    const md = await fetchIdpMetadata(`${t.idp.issuer}/saml/metadata`);
    const sp = nodeSamlSp(md, AGENT_SP);
    const posted = await driveSamlSso(await sp.getAuthorizeUrlAsync('', undefined, {}), { acs: AGENT_SP.acs_url, username: 'alice' });
    await sp.validatePostResponseAsync({ SAMLResponse: posted.fields.SAMLResponse as string });
    const doc = new DOMParser().parseFromString(Buffer.from(posted.fields.SAMLResponse as string, 'base64').toString('utf8'), 'text/xml');
    const assertion = new XMLSerializer().serializeToString(doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Assertion')[0] as never);
    const tasks = serverOf(t.topology, 'tasks');
    const r = await t.exchange('acme-agent', {
      subject_token: Buffer.from(assertion).toString('base64url'),
      subject_token_type: TOKEN_TYPE_SAML2,
      audience: tasks.issuer,
      resource: tasks.resource,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it('updates with 200, keeps fields not sent, and accepts an SP certificate', async () => {
    const cert = (await t.admin('GET', '/admin/saml', undefined, ops)).body.certificates[0].pem as string;
    const r = await t.admin('PUT', '/admin/apps/acme-agent/saml', { entity_id: AGENT_SP.entity_id, acs_urls: [AGENT_SP.acs_url], certificate: cert }, ops);
    expect(r.status).toBe(200);
    expect(r.body.authn_requests_signed).toBe(true);
    const cleared = await t.admin(
      'PUT',
      '/admin/apps/acme-agent/saml',
      { entity_id: AGENT_SP.entity_id, acs_urls: [AGENT_SP.acs_url], certificate: null },
      ops,
    );
    expect(cleared.body.authn_requests_signed).toBe(false);
  });

  it.each([
    ['an entity ID another app uses', { entity_id: 'DESKTOP', acs_urls: ['http://sp.test/acs'] }, 409],
    ['no ACS URL', { entity_id: 'urn:x', acs_urls: [] }, 400],
    ['an ACS URL that is not http(s)', { entity_id: 'urn:x', acs_urls: ['javascript:alert(1)'] }, 400],
    [
      'an unknown NameID format',
      { entity_id: 'urn:x', acs_urls: ['http://sp.test/acs'], name_id_format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient' },
      400,
    ],
    ['a certificate that is not one', { entity_id: 'urn:x', acs_urls: ['http://sp.test/acs'], certificate: 'MIIBnotacert' }, 400],
    ['an unknown field', { entity_id: 'urn:x', acs_urls: ['http://sp.test/acs'], extra: 1 }, 400],
  ])('refuses %s', async (_name, body, status) => {
    const b = { ...body, ...(body.entity_id === 'DESKTOP' ? { entity_id: clientOf(t.topology, 'acme-desktop').saml?.entity_id } : {}) };
    const r = await t.admin('PUT', '/admin/apps/acme-chat/saml', b, ops);
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(typeof r.body.error).toBe('string');
  });

  it('404 for an unknown app; DELETE removes the registration (then 404)', async () => {
    expect((await t.admin('PUT', '/admin/apps/nope/saml', { entity_id: 'urn:x', acs_urls: ['http://sp.test/acs'] }, ops)).status).toBe(404);
    expect((await t.admin('DELETE', '/admin/apps/acme-agent/saml', undefined, ops)).status).toBe(204);
    expect((await t.admin('GET', '/admin/apps/acme-agent/saml', undefined, ops)).status).toBe(404);
    expect((await t.admin('DELETE', '/admin/apps/acme-agent/saml', undefined, ops)).status).toBe(404);
  });

  it('is described in the OpenAPI document', async () => {
    const r = await t.admin('GET', '/admin/openapi.json', undefined, ops);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/admin/saml', '/admin/apps/{id}/saml']));
  });
});

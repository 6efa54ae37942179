/**
 * The schema check samlify runs before it reads any SAML message: the OASIS SAML 2.0 protocol schema
 * and its imports (SAML Core §3; XML-DSig, XML Encryption), through libxml2's xmllint (WebAssembly).
 */
import { deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SamlSchemaError, validateSamlXml } from '../../src/saml/schema-validator.ts';
import { clientOf, startTestIdp, type TestIdp } from '../support/idp.ts';

const P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const authnRequest = (attrs: string, inner = '') => `<samlp:AuthnRequest xmlns:samlp="${P}" xmlns:saml="${A}" ${attrs}>${inner}</samlp:AuthnRequest>`;
const VALID_ATTRS = 'ID="_r1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"';

describe('SAML schema validation (SAML Core §3.4.1)', () => {
  it('accepts a schema-valid AuthnRequest', async () => {
    await expect(validateSamlXml(authnRequest(VALID_ATTRS, '<saml:Issuer>https://sp.example</saml:Issuer>'))).resolves.toBe('SUCCESS_VALIDATE_XML');
  });

  it('rejects a missing required attribute, an element the schema does not allow, and elements out of order', async () => {
    for (const xml of [
      authnRequest('ID="_r1" Version="2.0"'),
      authnRequest(VALID_ATTRS, '<samlp:Bogus/>'),
      // Issuer must come before Extensions/Subject (the sequence of RequestAbstractType).
      authnRequest(VALID_ATTRS, `<saml:Subject><saml:NameID>x</saml:NameID></saml:Subject><saml:Issuer>https://sp.example</saml:Issuer>`),
    ]) {
      const e = await validateSamlXml(xml).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SamlSchemaError);
      expect((e as SamlSchemaError).errors.join('\n')).toMatch(/Schemas validity error|Element|attribute/);
    }
  });

  it('rejects what is not XML at all', async () => {
    await expect(validateSamlXml('not xml <')).rejects.toBeInstanceOf(SamlSchemaError);
  });
});

describe('the IdP runs the check on every AuthnRequest', () => {
  let t: TestIdp;
  beforeAll(async () => {
    t = await startTestIdp();
  });
  afterAll(async () => t?.close());

  it('refuses a registered SP’s AuthnRequest that fails the schema (400, ERR_SAML_REQUEST_INVALID)', async () => {
    const desktop = clientOf(t.topology, 'acme-desktop').saml as { entity_id: string; acs_url: string };
    const send = async (attrs: string, tail = '') => {
      const xml = authnRequest(attrs, `<saml:Issuer>${desktop.entity_id}</saml:Issuer>${tail}`);
      const q = new URLSearchParams({ SAMLRequest: deflateRawSync(Buffer.from(xml)).toString('base64') });
      const r = await fetch(`${t.idp.issuer}/saml/sso?${q}`, { redirect: 'manual' });
      return { status: r.status, text: await r.text() };
    };
    const ok = await send(`${VALID_ATTRS} AssertionConsumerServiceURL="${desktop.acs_url}"`);
    expect(ok.status).toBe(303); // on to the sign-in
    const bad = await send(`${VALID_ATTRS} AssertionConsumerServiceURL="${desktop.acs_url}"`, '<samlp:Bogus/>');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('ERR_SAML_REQUEST_INVALID');
  });
});

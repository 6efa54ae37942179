/**
 * samlify entities for the IdP role: the IdP itself (metadata, signing) and each registered SP
 * (its ACS URLs, its certificate for signed AuthnRequests). samlify does the XML, XML-DSig and
 * exclusive canonicalisation; nothing here signs or canonicalises by hand.
 *
 * Schema validation: samlify refuses to parse anything until a schema validator is set; ours is
 * libxml2's xmllint (WebAssembly) against the OASIS SAML 2.0 schemas, see schema-validator.ts.
 */
import * as samlifyNamespace from 'samlify';
import type { SamlRegistration } from './registrations.ts';
import { NAMEID_EMAIL, NAMEID_PERSISTENT } from './registrations.ts';
import type { SamlKey } from './saml-keys.ts';
import { validateSamlXml } from './schema-validator.ts';
import type { SamlService } from './service.ts';

/**
 * samlify's CommonJS exports object. Node's own ESM loader exposes as named exports only what its
 * CommonJS lexer detects, and `SamlLib` is not among them (it is under vitest's loader), so read
 * everything from the module object itself.
 */
const samlify = ((samlifyNamespace as unknown as { default?: typeof samlifyNamespace }).default ?? samlifyNamespace) as typeof samlifyNamespace;

samlify.setSchemaValidator({ validate: validateSamlXml });

export const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const BINDING_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
export const BINDING_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

/**
 * The IdP entity. It signs with `current` (and names only its certificate in `<ds:KeyInfo>`); for
 * metadata, `published` lists every certificate still in its rotation overlap.
 */
export function idpEntity(saml: SamlService, current: SamlKey, published?: SamlKey[], opts: { wantAuthnRequestsSigned?: boolean } = {}) {
  return samlify.IdentityProvider({
    entityID: saml.entityId,
    privateKey: current.privatePem,
    signingCert: published ? published.map((k) => k.certPem) : current.certPem,
    requestSignatureAlgorithm: RSA_SHA256,
    wantAuthnRequestsSigned: opts.wantAuthnRequestsSigned ?? false,
    nameIDFormat: [NAMEID_PERSISTENT, NAMEID_EMAIL],
    singleSignOnService: [
      { Binding: BINDING_REDIRECT, Location: saml.ssoUrl },
      { Binding: BINDING_POST, Location: saml.ssoUrl },
    ],
  });
}

/** A registered SP as samlify sees it; `acs` first so samlify's default Destination is the chosen ACS. */
export function spEntity(reg: SamlRegistration, acs?: string) {
  const urls = acs ? [acs, ...reg.acs_urls.filter((u) => u !== acs)] : reg.acs_urls;
  return samlify.ServiceProvider({
    entityID: reg.entity_id,
    assertionConsumerService: urls.map((Location) => ({ Binding: BINDING_POST, Location })),
    ...(reg.certificate ? { signingCert: reg.certificate, authnRequestsSigned: true } : {}),
    // SAML Profiles §4.1.3.5 and the token-exchange use of the bare assertion: sign both.
    wantAssertionsSigned: true,
    wantMessageSigned: true,
    requestSignatureAlgorithm: RSA_SHA256,
    transformationAlgorithms: [ENVELOPED, EXC_C14N],
    nameIDFormat: [reg.name_id_format],
  });
}

/** `{issuer}/saml/metadata` (SAML Metadata §2.4.3 IDPSSODescriptor). */
export async function idpMetadata(saml: SamlService): Promise<string> {
  const [current, published] = [await saml.keys.current(), await saml.keys.published()];
  return idpEntity(saml, current, published).getMetadata();
}

export { samlify };

/**
 * Test support for SAML Web SSO: the headless user agent's walk from an SP's AuthnRequest URL to the
 * HTTP-POST form the IdP answers with (SAML Bindings §3.5.4), through the IdP's login page when there
 * is no session. The SP side is @node-saml/node-saml, not our code.
 */
import { SAML } from '@node-saml/node-saml';
import { type CookieJar, navigate } from '@xaa/user-agent';
import { DOMParser } from '@xmldom/xmldom';

const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';

export interface IdpMetadataView {
  entityId: string;
  sso: Record<string, string>;
  certs: string[];
  nameIdFormats: string[];
}

/** Read IdP metadata as an SP would: entity ID, SSO locations per binding, signing certificates. */
export async function fetchIdpMetadata(url: string): Promise<IdpMetadataView> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`metadata ${res.status}`);
  const doc = new DOMParser().parseFromString(await res.text(), 'text/xml');
  const root = doc.documentElement as unknown as Element;
  const sso: Record<string, string> = {};
  for (const el of Array.from(root.getElementsByTagNameNS(MD_NS, 'SingleSignOnService')))
    sso[el.getAttribute('Binding') ?? ''] = el.getAttribute('Location') ?? '';
  const certs = Array.from(root.getElementsByTagNameNS(DS_NS, 'X509Certificate')).map((el) => (el.textContent ?? '').replace(/\s+/g, ''));
  const nameIdFormats = Array.from(root.getElementsByTagNameNS(MD_NS, 'NameIDFormat')).map((el) => (el.textContent ?? '').trim());
  return { entityId: root.getAttribute('entityID') ?? '', sso, certs, nameIdFormats };
}

export function nodeSamlSp(md: IdpMetadataView, sp: { entity_id: string; acs_url: string }, extra: Record<string, unknown> = {}): SAML {
  return new SAML({
    entryPoint: md.sso['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect'] as string,
    issuer: sp.entity_id,
    callbackUrl: sp.acs_url,
    audience: sp.entity_id,
    idpIssuer: md.entityId,
    idpCert: md.certs.map((c) => `-----BEGIN CERTIFICATE-----\n${c}\n-----END CERTIFICATE-----`),
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    identifierFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    validateInResponseTo: 'always' as never,
    signatureAlgorithm: 'sha256',
    ...extra,
  });
}

export interface PostedForm {
  action: string;
  fields: Record<string, string>;
}

/**
 * GET the AuthnRequest URL and follow the IdP until it answers with the auto-submitting POST form to
 * `acs`; logs in as `username` if asked. `loggedIn` tells whether the login page was shown.
 */
export async function driveSamlSso(
  url: string,
  opts: { acs: string; username: string; jar?: CookieJar; password?: string },
): Promise<PostedForm & { loggedIn: boolean }> {
  const nav = await navigate(url, {
    redirectUri: opts.acs,
    credentials: { username: opts.username, password: opts.password ?? 'demo' },
    ...(opts.jar ? { jar: opts.jar } : {}),
  });
  if (!nav.ok) throw new Error(`SAML SSO stopped: ${nav.message}`);
  if (!nav.callbackBody) throw new Error(`the IdP redirected to ${nav.callbackUrl.href} instead of posting a form`);
  return { action: nav.callbackUrl.href, fields: Object.fromEntries(nav.callbackBody), loggedIn: nav.loginForms > 0 };
}

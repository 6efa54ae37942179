/**
 * Test support for SAML Web SSO: a headless browser walk from an SP's AuthnRequest URL to the HTTP-POST
 * form the IdP answers with (SAML Bindings §3.5.4), through the IdP's login page when there is no
 * session. The SP side is @node-saml/node-saml, not our code.
 */
import { SAML } from '@node-saml/node-saml';
import { CookieJar } from '@xaa/user-agent';
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

const decode = (v: string) =>
  v
    .replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

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
): Promise<PostedForm & { loggedIn: boolean; status: number; html: string }> {
  const jar = opts.jar ?? new CookieJar();
  let current = new URL(url);
  let method = 'GET';
  let body: string | undefined;
  let loggedIn = false;
  for (let step = 0; step < 20; step++) {
    const res = await fetch(current, {
      method,
      redirect: 'manual',
      headers: { ...(jar.header(current) ? { cookie: jar.header(current) } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
    });
    jar.store(current, res);
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      current = new URL(res.headers.get('location') as string, current);
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const form = /<form\b[^>]*method="post"[^>]*>[\s\S]*?<\/form>/i.exec(html)?.[0];
    const action = form ? decode(/action="([^"]*)"/i.exec(form)?.[1] ?? '') : '';
    if (res.status === 200 && form && action.startsWith(opts.acs)) {
      const fields: Record<string, string> = {};
      for (const m of form.matchAll(/<input\b[^>]*type="hidden"[^>]*>/gi)) {
        const name = /name="([^"]*)"/i.exec(m[0])?.[1];
        if (name) fields[decode(name)] = decode(/value="([^"]*)"/i.exec(m[0])?.[1] ?? '');
      }
      return { action, fields, loggedIn, status: res.status, html };
    }
    const login = [...html.matchAll(/<form\b[^>]*action="([^"]*)"[^>]*>/gi)].map((m) => decode(m[1] ?? '')).find((a) => a.endsWith('/login'));
    if (res.status === 200 && login && !loggedIn) {
      current = new URL(decode(login), current);
      method = 'POST';
      body = new URLSearchParams({ username: opts.username, password: opts.password ?? 'demo' }).toString();
      loggedIn = true;
      continue;
    }
    return { action: '', fields: {}, loggedIn, status: res.status, html };
  }
  throw new Error('too many steps in SAML SSO');
}

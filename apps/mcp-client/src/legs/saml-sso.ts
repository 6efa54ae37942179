/**
 * Leg 1 over SAML 2.0 (draft-04 §4.5, EMA §2): SP-initiated Web SSO at the IdP as the app's SAML SP,
 * then RFC 8693 token exchange of the Assertion for an IdP refresh token, from which every ID-JAG is
 * minted (`subject_token_type=…:refresh_token`). The Assertion itself is not kept (it is single-use at
 * the IdP, and a stored bearer assertion is a liability).
 *
 * The SP work is @node-saml/node-saml's (an SP library independent of the IdP's samlify): the
 * AuthnRequest (HTTP-Redirect), and the Response checks — the IdP's signature against the certificates
 * in its metadata, Response and Assertion both signed, InResponseTo our request, Audience our entity
 * ID, Recipient/Destination our ACS, time conditions. Only after node-saml accepted the Response does
 * the agent pick the one Assertion out of it to present as the `saml2` subject token (RFC 8693 §3,
 * base64url without padding, RFC 7522 §2.1).
 */
import { randomBytes } from 'node:crypto';
import { type CacheProvider, SAML } from '@node-saml/node-saml';
import { TOKEN_TYPE_REFRESH_TOKEN, TOKEN_TYPE_SAML2 } from '@xaa/protocol';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type { AgentApp, AgentConfig } from '../config.ts';
import type { FetchLike } from '../http.ts';

const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';

/** What the SAML IdP's metadata tells an SP (SAML Metadata §2.4.3). */
export interface IdpSamlMetadata {
  entityId: string;
  ssoRedirect: string;
  certificates: string[];
}

export interface SamlSsoDeps {
  config: AgentConfig;
  fetch: FetchLike;
  /** Seconds since the epoch. */
  now(): number;
}

/** What survives between the AuthnRequest and the Response at the ACS (kept in client.db, keyed by RelayState). */
export interface PendingSamlSso {
  protocol: 'saml2';
  app: string;
  user: string | undefined;
  /** The AuthnRequest ID: the Response must answer it (InResponseTo, SAML Profiles §4.1.4.2). */
  requestId: string;
  relayState: string;
}

export interface SamlSession {
  /** The user's NameID at this SP (persistent: the IdP's stable user id, the OIDC `sub`). */
  nameId: string;
  nameIdFormat: string | undefined;
  email: string | undefined;
  /** The IdP refresh token the Assertion was exchanged for. */
  refreshToken: string;
  refreshTokenExpiresAt: number;
  scope: string | undefined;
  /** What the agent checked, for the live view (never the Assertion itself). */
  assertion: { id: string | undefined; issuer: string | undefined; audience: string | undefined; notOnOrAfter: string | undefined };
}

export type SamlLoginResult =
  | { ok: true; session: SamlSession }
  | { ok: false; kind: 'denied' | 'error'; stage: 'metadata' | 'response' | 'exchange'; code: string; description: string };

const metadataCache = new WeakMap<SamlSsoDeps, Promise<IdpSamlMetadata>>();

/** Fetch and read the IdP metadata (entity ID, the HTTP-Redirect SSO endpoint, signing certificates). */
export function idpSamlMetadata(deps: SamlSsoDeps): Promise<IdpSamlMetadata> {
  let p = metadataCache.get(deps);
  if (!p) {
    const url = deps.config.idp.saml?.metadata_url ?? `${deps.config.idp.issuer}/saml/metadata`;
    p = (async () => {
      const res = await deps.fetch(url, { headers: { accept: 'application/samlmetadata+xml, application/xml' } });
      if (res.status !== 200) throw new Error(`SAML metadata at ${url}: HTTP ${res.status}`);
      const text = await res.text();
      if (/<!DOCTYPE/i.test(text)) throw new Error('SAML metadata with a DTD is refused');
      const root = new DOMParser().parseFromString(text, 'text/xml').documentElement as unknown as Element | null;
      if (!root || root.namespaceURI !== MD_NS || root.localName !== 'EntityDescriptor') throw new Error(`${url} is not SAML metadata`);
      const sso = Array.from(root.getElementsByTagNameNS(MD_NS, 'SingleSignOnService') as unknown as ArrayLike<Element>).find(
        (e) => e.getAttribute('Binding') === REDIRECT,
      );
      const certificates = Array.from(root.getElementsByTagNameNS(DS_NS, 'X509Certificate') as unknown as ArrayLike<Element>).map((e) =>
        (e.textContent ?? '').replace(/\s+/g, ''),
      );
      const entityId = root.getAttribute('entityID') ?? '';
      if (!entityId || !sso?.getAttribute('Location') || certificates.length === 0)
        throw new Error(`${url} lacks an entity ID, an HTTP-Redirect SSO endpoint or a certificate`);
      return { entityId, ssoRedirect: sso.getAttribute('Location') as string, certificates };
    })().catch((e: unknown) => {
      metadataCache.delete(deps);
      throw e;
    });
    metadataCache.set(deps, p);
  }
  return p;
}

const pem = (c: string) => `-----BEGIN CERTIFICATE-----\n${c.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`;

/** node-saml for this app; `expected` is the AuthnRequest ID a Response must answer. */
function sp(md: IdpSamlMetadata, app: AgentApp, opts: { requestId: string; expected?: string }): SAML {
  const saml = app.saml;
  if (!saml) throw new Error(`${app.title} has no SAML registration`);
  const cache: CacheProvider = {
    saveAsync: async () => null,
    getAsync: async (key) => (opts.expected !== undefined && key === opts.expected ? new Date().toISOString() : null),
    removeAsync: async (key) => key,
  };
  return new SAML({
    entryPoint: md.ssoRedirect,
    issuer: saml.entity_id,
    callbackUrl: saml.acs_url,
    audience: saml.entity_id,
    idpIssuer: md.entityId,
    idpCert: md.certificates.map(pem),
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    identifierFormat: PERSISTENT,
    validateInResponseTo: 'always' as never,
    signatureAlgorithm: 'sha256',
    acceptedClockSkewMs: 30_000,
    disableRequestedAuthnContext: true,
    generateUniqueId: () => opts.requestId,
    cacheProvider: cache,
  });
}

/** The AuthnRequest URL (HTTP-Redirect binding, SAML Bindings §3.4) and what to keep until the Response. */
export async function beginSamlLogin(deps: SamlSsoDeps, app: AgentApp, user?: string): Promise<{ authorizationUrl: URL; pending: PendingSamlSso }> {
  const md = await idpSamlMetadata(deps);
  const requestId = `_${randomBytes(20).toString('hex')}`;
  // RelayState ≤ 80 bytes (SAML Bindings §3.4.3); it is also the key of the pending login.
  const relayState = randomBytes(24).toString('base64url');
  const url = await sp(md, app, { requestId }).getAuthorizeUrlAsync(relayState, undefined, {});
  return { authorizationUrl: new URL(url), pending: { protocol: 'saml2', app: app.name, user, requestId, relayState } };
}

/** After node-saml accepted the Response: its one Assertion, as a base64url `saml2` subject token. */
export function assertionSubjectToken(samlResponseB64: string): string {
  const xml = Buffer.from(samlResponseB64, 'base64').toString('utf8');
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement as unknown as Element;
  const assertions = Array.from(root.childNodes as unknown as ArrayLike<Node>).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ASSERTION_NS && (n as Element).localName === 'Assertion',
  );
  if (root.namespaceURI !== PROTOCOL_NS || root.localName !== 'Response' || assertions.length !== 1)
    throw new Error('the Response does not hold exactly one Assertion');
  return Buffer.from(new XMLSerializer().serializeToString(assertions[0] as never), 'utf8').toString('base64url');
}

async function exchangeForRefreshToken(deps: SamlSsoDeps, app: AgentApp, tokenEndpoint: string, subjectToken: string) {
  const body = new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requested_token_type: TOKEN_TYPE_REFRESH_TOKEN,
    subject_token: subjectToken,
    subject_token_type: TOKEN_TYPE_SAML2,
    // draft-04 §4.5: openid and offline_access SHOULD be requested.
    scope: 'openid offline_access email',
  });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const secret = app.idp.client_secret;
  if (secret) headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(app.idp.client_id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  else body.set('client_id', app.idp.client_id);
  const res = await deps.fetch(tokenEndpoint, { method: 'POST', headers, body: body.toString() });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, json };
}

/** The ACS: validate the Response (node-saml), then trade its Assertion for an IdP refresh token. */
export async function completeSamlLogin(
  deps: SamlSsoDeps,
  app: AgentApp,
  pending: PendingSamlSso,
  samlResponse: string,
  /** The IdP's token endpoint (from its OIDC discovery document). */
  tokenEndpoint: () => Promise<string>,
): Promise<SamlLoginResult> {
  let md: IdpSamlMetadata;
  try {
    md = await idpSamlMetadata(deps);
  } catch (e) {
    return { ok: false, kind: 'error', stage: 'metadata', code: 'saml_metadata', description: (e as Error).message };
  }
  let profile: Record<string, unknown> & { nameID?: string; nameIDFormat?: string; issuer?: string; getAssertion?: () => unknown };
  let subjectToken: string;
  try {
    const r = await sp(md, app, { requestId: pending.requestId, expected: pending.requestId }).validatePostResponseAsync({ SAMLResponse: samlResponse });
    if (!r.profile) throw new Error('no profile in the SAML Response');
    profile = r.profile as typeof profile;
    subjectToken = assertionSubjectToken(samlResponse);
  } catch (e) {
    const message = (e as Error).message ?? String(e);
    const denied = /status|Responder|AuthnFailed|RequestDenied/i.test(message);
    return { ok: false, kind: denied ? 'denied' : 'error', stage: 'response', code: denied ? 'saml_denied' : 'saml_response_invalid', description: message };
  }
  let ex: Awaited<ReturnType<typeof exchangeForRefreshToken>>;
  try {
    ex = await exchangeForRefreshToken(deps, app, await tokenEndpoint(), subjectToken);
  } catch (e) {
    return { ok: false, kind: 'error', stage: 'exchange', code: 'exchange_failed', description: (e as Error).message };
  }
  if (ex.status !== 200 || typeof ex.json.access_token !== 'string' || ex.json.issued_token_type !== TOKEN_TYPE_REFRESH_TOKEN) {
    const code = typeof ex.json.error === 'string' ? ex.json.error : `http_${ex.status}`;
    return {
      ok: false,
      kind: ['access_denied', 'unauthorized_client', 'invalid_grant'].includes(code) ? 'denied' : 'error',
      stage: 'exchange',
      code,
      description: typeof ex.json.error_description === 'string' ? ex.json.error_description : 'the IdP did not issue a refresh token for the SAML assertion',
    };
  }
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  const attr = (name: string) => new RegExp(`<(?:saml:)?Assertion\\b[^>]*\\b${name}="([^"]*)"`).exec(xml)?.[1];
  return {
    ok: true,
    session: {
      nameId: String(profile.nameID ?? ''),
      nameIdFormat: profile.nameIDFormat,
      email: typeof profile.email === 'string' ? profile.email : undefined,
      refreshToken: ex.json.access_token,
      refreshTokenExpiresAt: deps.now() + (typeof ex.json.expires_in === 'number' ? ex.json.expires_in : 3600),
      scope: typeof ex.json.scope === 'string' ? ex.json.scope : undefined,
      assertion: {
        id: attr('ID'),
        issuer: profile.issuer,
        audience: app.saml?.entity_id,
        notOnOrAfter: /<(?:saml:)?Conditions\b[^>]*NotOnOrAfter="([^"]*)"/.exec(xml)?.[1],
      },
    },
  };
}

/**
 * SAML 2.0 subject tokens at the IdP's token endpoint over real HTTP (RFC 8693 §3, draft-04 §4.3.3 and
 * §4.5). The SAML Response comes from real Web SSO and is validated first by an independent SP library
 * (@node-saml/node-saml, configured from the IdP metadata only); the Assertion it accepted is what the
 * client presents. ID-JAGs are verified against the IdP's JWKS with jose.
 */
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_REFRESH_TOKEN, TOKEN_TYPE_SAML2, TYP_ID_JAG } from '@xaa/protocol';
import { CookieJar } from '@xaa/user-agent';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededUserId } from '../../src/index.ts';
import { clientOf, serverOf, startTestIdp, type TestIdp } from '../support/idp.ts';
import { driveSamlSso, fetchIdpMetadata, type IdpMetadataView, nodeSamlSp } from '../support/saml.ts';

let t: TestIdp;
let md: IdpMetadataView;
let desktop: { entity_id: string; acs_url: string };
let offset = 0;
const A = 'urn:oasis:names:tc:SAML:2.0:assertion';

beforeAll(async () => {
  t = await startTestIdp({ now: () => Date.now() + offset });
  md = await fetchIdpMetadata(`${t.idp.issuer}/saml/metadata`);
  desktop = clientOf(t.topology, 'acme-desktop').saml as { entity_id: string; acs_url: string };
});
afterAll(async () => t?.close());

/** Web SSO as Acme Desktop; node-saml validates the Response; returns the Response and its Assertion XML. */
async function samlSignIn(username: string, jar = new CookieJar()) {
  const sp = nodeSamlSp(md, desktop);
  const posted = await driveSamlSso(await sp.getAuthorizeUrlAsync('', undefined, {}), { acs: desktop.acs_url, username, jar });
  const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: posted.fields.SAMLResponse as string });
  expect(profile?.nameID).toBe(seededUserId(username));
  const response = Buffer.from(posted.fields.SAMLResponse as string, 'base64').toString('utf8');
  const doc = new DOMParser().parseFromString(response, 'text/xml');
  const assertion = new XMLSerializer().serializeToString(doc.getElementsByTagNameNS(A, 'Assertion')[0] as never);
  return { response, assertion };
}

const b64url = (xml: string) => Buffer.from(xml, 'utf8').toString('base64url');

function samlExchange(client: string, token: string, extra: Record<string, string | undefined> = {}) {
  return t.exchange(client, { subject_token: token, subject_token_type: TOKEN_TYPE_SAML2, ...extra });
}

function expectGrantError(r: { status: number; body: Record<string, unknown> }, description: RegExp) {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error).toBe('invalid_grant');
  expect(String(r.body.error_description)).toMatch(description);
}

async function verifyIdJag(jwt: string) {
  const { payload, protectedHeader } = await jwtVerify(jwt, createRemoteJWKSet(new URL(`${t.idp.issuer}/jwks`)), {
    issuer: t.idp.issuer,
    typ: TYP_ID_JAG,
  });
  expect(protectedHeader.typ).toBe(TYP_ID_JAG);
  return payload;
}

describe('saml2 → refresh token → ID-JAG (draft-04 §4.5)', () => {
  it('issues an IdP refresh token for the Assertion, then ID-JAGs from it, with the OIDC path’s sub', async () => {
    const tasks = serverOf(t.topology, 'tasks');
    const { assertion } = await samlSignIn('alice');
    const rt = await samlExchange('acme-desktop', b64url(assertion), {
      requested_token_type: TOKEN_TYPE_REFRESH_TOKEN,
      scope: 'openid offline_access email',
    });
    expect(rt.status, JSON.stringify(rt.body)).toBe(200);
    expect(rt.headers.get('cache-control')).toContain('no-store');
    expect(rt.body).toMatchObject({ issued_token_type: TOKEN_TYPE_REFRESH_TOKEN, token_type: 'N_A', scope: 'openid offline_access email' });
    expect(typeof rt.body.access_token).toBe('string');
    expect(rt.body.refresh_token).toBeUndefined();

    const jag = await t.exchange('acme-desktop', {
      subject_token: String(rt.body.access_token),
      subject_token_type: TOKEN_TYPE_REFRESH_TOKEN,
      audience: tasks.issuer,
      resource: tasks.resource,
      scope: 'tasks.read',
    });
    expect(jag.status, JSON.stringify(jag.body)).toBe(200);
    expect(jag.body).toMatchObject({ issued_token_type: TOKEN_TYPE_ID_JAG, token_type: 'N_A', scope: 'tasks.read' });
    const claims = await verifyIdJag(String(jag.body.access_token));
    expect(claims).toMatchObject({ aud: tasks.issuer, client_id: clientOf(t.topology, 'acme-desktop').servers.tasks?.client_id });

    // The same user through OIDC (Acme Agent): the same `sub` at the same server.
    const oidc = await t.login('alice');
    const viaOidc = await t.exchange('acme-agent', { subject_token: oidc.id_token, audience: tasks.issuer, resource: tasks.resource, scope: 'tasks.read' });
    expect(viaOidc.status, JSON.stringify(viaOidc.body)).toBe(200);
    expect(claims.sub).toBe(decodeJwt(String(viaOidc.body.access_token)).sub);
  });

  it('the refresh token keeps minting ID-JAGs without the Assertion, and stops when the user’s sessions are revoked', async () => {
    const docs = serverOf(t.topology, 'docs');
    const { assertion } = await samlSignIn('dave');
    const rt = await samlExchange('acme-desktop', b64url(assertion), { requested_token_type: TOKEN_TYPE_REFRESH_TOKEN });
    expect(rt.body.scope).toBe('openid offline_access');
    const ask = () =>
      t.exchange('acme-desktop', {
        subject_token: String(rt.body.access_token),
        subject_token_type: TOKEN_TYPE_REFRESH_TOKEN,
        audience: docs.issuer,
        resource: docs.resource,
      });
    expect((await ask()).status).toBe(200);
    expect((await ask()).status).toBe(200);
    offset += 1500;
    t.idp.revokeUser('dave');
    offset += 1000;
    const after = await ask();
    expect(after.status).toBe(400);
    expect(after.body.error).toBe('invalid_grant');
  });

  it('refuses a refresh token request for another subject type, for a resource, or with non-OpenID scopes', async () => {
    const oidc = await t.login('alice');
    const r1 = await t.exchange('acme-agent', { subject_token: oidc.id_token, requested_token_type: TOKEN_TYPE_REFRESH_TOKEN });
    expect(r1.body.error).toBe('invalid_request');
    const { assertion } = await samlSignIn('alice');
    const r2 = await samlExchange('acme-desktop', b64url(assertion), {
      requested_token_type: TOKEN_TYPE_REFRESH_TOKEN,
      audience: serverOf(t.topology, 'tasks').issuer,
    });
    expect(r2.body.error).toBe('invalid_request');
    const r3 = await samlExchange('acme-desktop', b64url(assertion), { requested_token_type: TOKEN_TYPE_REFRESH_TOKEN, scope: 'openid tasks.read' });
    expect(r3.body.error).toBe('invalid_scope');
    // None of those burned the Assertion.
    const ok = await samlExchange('acme-desktop', b64url(assertion), { requested_token_type: TOKEN_TYPE_REFRESH_TOKEN });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });
});

describe('saml2 → ID-JAG directly (draft-04 §4.3)', () => {
  it('mints an ID-JAG from the Assertion (base64 accepted too), governed by Acme Desktop’s connections', async () => {
    const tasks = serverOf(t.topology, 'tasks');
    const { assertion } = await samlSignIn('alice');
    const r = await samlExchange('acme-desktop', Buffer.from(assertion).toString('base64'), { audience: tasks.issuer, resource: tasks.resource });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const claims = await verifyIdJag(String(r.body.access_token));
    expect(claims.sub).toBe(seededUserId('alice'));
    expect(claims.resource).toBe(tasks.resource);
    // A server Acme Desktop has no connection to is refused by policy, not by the SAML checks.
    const crm = serverOf(t.topology, 'crm');
    const { assertion: again } = await samlSignIn('alice');
    const denied = await samlExchange('acme-desktop', b64url(again), { audience: crm.issuer, resource: crm.resource });
    expect(denied.body.error).toBe('access_denied');
  });

  it('accepts the whole signed Response as well (its Assertion still signed on its own)', async () => {
    const tasks = serverOf(t.topology, 'tasks');
    const { response } = await samlSignIn('alice');
    const r = await samlExchange('acme-desktop', b64url(response), { audience: tasks.issuer, resource: tasks.resource });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await verifyIdJag(String(r.body.access_token))).sub).toBe(seededUserId('alice'));
  });
});

describe('every deny path, with its code (invalid_grant, RFC 8693 §2.2.2)', () => {
  const tasks = () => serverOf(t.topology, 'tasks');
  const target = () => ({ audience: tasks().issuer, resource: tasks().resource });

  it('a replayed Assertion', async () => {
    const { assertion } = await samlSignIn('alice');
    expect((await samlExchange('acme-desktop', b64url(assertion), target())).status).toBe(200);
    expectGrantError(await samlExchange('acme-desktop', b64url(assertion), target()), /already exchanged/);
  });

  it('a signature that does not verify: the NameID changed after signing (another key: test/issuance)', async () => {
    const { assertion } = await samlSignIn('alice');
    const forged = assertion.replace(seededUserId('alice'), seededUserId('carol'));
    expectGrantError(await samlExchange('acme-desktop', b64url(forged), target()), /signature does not verify/);
  });

  it('an expired Assertion (Conditions NotOnOrAfter + skew)', async () => {
    const { assertion } = await samlSignIn('alice');
    offset += 400_000;
    try {
      expectGrantError(await samlExchange('acme-desktop', b64url(assertion), target()), /expired/);
    } finally {
      offset -= 400_000;
    }
  });

  it('the audience of another app: Acme Desktop’s Assertion presented by Acme Agent', async () => {
    const { assertion } = await samlSignIn('alice');
    expectGrantError(await samlExchange('acme-agent', b64url(assertion), target()), /no SAML registration/);
  });

  it('a wrapped signature: an unsigned forged Assertion beside the signed one', async () => {
    const { response } = await samlSignIn('alice');
    const doc = new DOMParser().parseFromString(response, 'text/xml');
    const signed = doc.getElementsByTagNameNS(A, 'Assertion')[0] as unknown as Element;
    const evil = signed.cloneNode(true) as Element;
    evil.removeChild(evil.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0] as never);
    evil.setAttribute('ID', '_evil');
    signed.parentNode?.insertBefore(evil as never, signed as never);
    expectGrantError(await samlExchange('acme-desktop', b64url(new XMLSerializer().serializeToString(doc)), target()), /exactly one Assertion/);
  });

  it('a comment inside NameID', async () => {
    const { assertion } = await samlSignIn('alice');
    const id = seededUserId('alice');
    expectGrantError(await samlExchange('acme-desktop', b64url(assertion.replace(`>${id}<`, `>${id.slice(0, 4)}<!---->${id.slice(4)}<`)), target()), /comment/);
  });

  it('an unsigned Assertion', async () => {
    const { assertion } = await samlSignIn('alice');
    const doc = new DOMParser().parseFromString(assertion, 'text/xml');
    const sig = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0] as unknown as Node;
    sig.parentNode?.removeChild(sig as never);
    expectGrantError(await samlExchange('acme-desktop', b64url(new XMLSerializer().serializeToString(doc)), target()), /not signed/);
  });

  it('a disabled user, and a user whose sessions were revoked after the Assertion was issued', async () => {
    const { assertion: a1 } = await samlSignIn('carol');
    const carol = seededUserId('carol');
    const ops = await t.opsToken();
    expect((await t.admin('PATCH', `/admin/users/${carol}`, { disabled: true }, ops)).status).toBe(200);
    expectGrantError(await samlExchange('acme-desktop', b64url(a1), target()), /disabled/);
    expect((await t.admin('PATCH', `/admin/users/${carol}`, { disabled: false }, ops)).status).toBe(200);

    offset += 2000;
    const { assertion: a2 } = await samlSignIn('alice');
    offset += 1500;
    t.idp.revokeUser('alice');
    offset += 1000;
    expectGrantError(await samlExchange('acme-desktop', b64url(a2), target()), /revoked/);
  });

  it('not base64, or not XML: invalid_grant, never a 500', async () => {
    expectGrantError(await samlExchange('acme-desktop', 'not*base64', target()), /base64/);
    expectGrantError(await samlExchange('acme-desktop', b64url('<oops'), target()), /well-formed/);
    const r = await t.token({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token_type: TOKEN_TYPE_SAML2, requested_token_type: TOKEN_TYPE_ID_JAG });
    expect(r.status).toBe(401);
  });
});

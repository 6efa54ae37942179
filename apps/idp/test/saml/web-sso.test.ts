/**
 * SAML 2.0 Web SSO at the IdP over real HTTP, driven by an independent SP library
 * (@node-saml/node-saml) configured only from the IdP's metadata (SAML Profiles §4.1).
 */
import { CookieJar, driveLogin, pkce } from '@xaa/user-agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededUserId } from '../../src/index.ts';
import { clientOf, startTestIdp, type TestIdp } from '../support/idp.ts';
import { driveSamlSso, fetchIdpMetadata, type IdpMetadataView, nodeSamlSp } from '../support/saml.ts';

let t: TestIdp;
let md: IdpMetadataView;
let desktop: { entity_id: string; acs_url: string };

beforeAll(async () => {
  t = await startTestIdp();
  md = await fetchIdpMetadata(`${t.idp.issuer}/saml/metadata`);
  desktop = clientOf(t.topology, 'acme-desktop').saml as { entity_id: string; acs_url: string };
});
afterAll(async () => t?.close());

describe('IdP metadata (SAML Metadata §2.4.3)', () => {
  it('names the entity, both SSO bindings and a signing certificate', () => {
    expect(md.entityId).toBe(t.idp.issuer);
    expect(md.sso['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect']).toBe(`${t.idp.issuer}/saml/sso`);
    expect(md.sso['urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST']).toBe(`${t.idp.issuer}/saml/sso`);
    expect(md.certs.length).toBeGreaterThanOrEqual(1);
    expect(md.nameIdFormats).toContain('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
  });

  it('keeps the previous certificate published after a key rotation, and signs with the new one', async () => {
    const before = md.certs[0];
    await t.idp.rotateKeys();
    const after = await fetchIdpMetadata(`${t.idp.issuer}/saml/metadata`);
    expect(after.certs[0]).not.toBe(before);
    expect(after.certs).toContain(before);
    md = after;
  });
});

describe('SP-initiated Web SSO (SAML Profiles §4.1.4)', () => {
  it('answers node-saml with a signed Response it accepts: persistent NameID = OIDC sub, attributes', async () => {
    const sp = nodeSamlSp(md, desktop);
    const url = await sp.getAuthorizeUrlAsync('relay-1', undefined, {});
    const posted = await driveSamlSso(url, { acs: desktop.acs_url, username: 'alice' });
    expect(posted.action).toBe(desktop.acs_url);
    expect(posted.loggedIn).toBe(true);
    expect(posted.fields.RelayState).toBe('relay-1');
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: posted.fields.SAMLResponse as string, RelayState: 'relay-1' });
    expect(profile?.nameID).toBe(seededUserId('alice'));
    expect(profile?.nameIDFormat).toBe('urn:oasis:names:tc:SAML:2.0:nameid-format:persistent');
    expect(profile?.issuer).toBe(t.idp.issuer);
    expect(profile?.email).toBe('alice@acme.test');
    expect(profile?.name).toBe('Alice Anders');
    expect(profile?.groups).toBe('engineering');
    const xml = Buffer.from(posted.fields.SAMLResponse as string, 'base64').toString('utf8');
    expect(xml).toContain('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(xml).toMatch(/<saml:Audience>[^<]+<\/saml:Audience>/);
    expect(xml).toContain(`Recipient="${desktop.acs_url}"`);
  });

  it('a node-saml SP that does not trust the IdP certificate rejects the Response (the check can fail)', async () => {
    const sp = nodeSamlSp(md, desktop);
    const url = await sp.getAuthorizeUrlAsync('', undefined, {});
    const posted = await driveSamlSso(url, { acs: desktop.acs_url, username: 'alice' });
    const other = nodeSamlSp({ ...md, certs: [otherCert] }, desktop);
    await expect(other.validatePostResponseAsync({ SAMLResponse: posted.fields.SAMLResponse as string })).rejects.toThrow();
  });

  it('shares one IdP session with OIDC: after a SAML sign-in an OIDC app is not asked to log in, and back', async () => {
    const jar = new CookieJar();
    const sp = nodeSamlSp(md, desktop);
    const first = await driveSamlSso(await sp.getAuthorizeUrlAsync('', undefined, {}), { acs: desktop.acs_url, username: 'bob', jar });
    expect(first.loggedIn).toBe(true);
    // OIDC: the session answers at once; driveLogin would POST the login form if one were shown.
    const agent = clientOf(t.topology, 'acme-agent');
    const p = pkce();
    const auth = new URL(`${t.idp.issuer}/authorize`);
    auth.search = new URLSearchParams({
      client_id: agent.idp.client_id,
      response_type: 'code',
      redirect_uri: agent.idp.redirect_uris[0] as string,
      scope: 'openid',
      state: 's',
      code_challenge: p.code_challenge,
      code_challenge_method: 'S256',
      prompt: 'none',
    }).toString();
    const cb = await driveLogin(auth, { username: 'x', password: 'x', redirectUri: agent.idp.redirect_uris[0] as string, jar });
    expect(cb.searchParams.get('code')).toBeTruthy();
    // And a second SAML sign-in needs no login either.
    const again = await driveSamlSso(await sp.getAuthorizeUrlAsync('', undefined, {}), { acs: desktop.acs_url, username: 'nobody', jar });
    expect(again.loggedIn).toBe(false);
    const { profile } = await sp.validatePostResponseAsync({ SAMLResponse: again.fields.SAMLResponse as string });
    expect(profile?.nameID).toBe(seededUserId('bob'));
  });

  it('refuses an AuthnRequest from an unregistered SP, and an ACS URL the SP did not register', async () => {
    const stranger = nodeSamlSp(md, { entity_id: 'https://evil.example/sp', acs_url: desktop.acs_url });
    const r1 = await fetch(await stranger.getAuthorizeUrlAsync('', undefined, {}), { redirect: 'manual' });
    expect(r1.status).toBe(400);
    expect(await r1.text()).toContain('ERR_SAML_UNKNOWN_SP');
    const wrongAcs = nodeSamlSp(md, { entity_id: desktop.entity_id, acs_url: 'https://evil.example/acs' });
    const r2 = await fetch(await wrongAcs.getAuthorizeUrlAsync('', undefined, {}), { redirect: 'manual' });
    expect(r2.status).toBe(400);
    expect(await r2.text()).toContain('ERR_SAML_ACS');
  });
});

// A well-formed certificate that is not the IdP's (any other self-signed cert).
const otherCert =
  'MIIBszCCAVmgAwIBAgIUW9Bq0c9n7m2l5l1e4q8ZxQ3p3lYwCgYIKoZIzj0EAwIwLzEtMCsGA1UEAwwkb3RoZXIgaWRwIChub3QgdGhlIHBsYXlncm91bmQncykgdGVzdDAeFw0yNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAwMDBaMC8xLTArBgNVBAMMJG90aGVyIGlkcCAobm90IHRoZSBwbGF5Z3JvdW5kJ3MpIHRlc3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQ';

/**
 * SAML 2.0 Assertions as token-exchange subject tokens (RFC 8693 §3, draft-04 §4.3.3 / §4.5), with a
 * frozen clock. Assertions are the IdP's own, built and signed by its Web SSO code (samlify); each
 * attack starts from a genuine one and changes what an attacker could change. Every check fails with
 * its own stable code.
 */
import { openDatabase } from '@xaa/node-kit';
import { type OAuthError, TOKEN_TYPE_SAML2 } from '@xaa/protocol';
import { defaultTopology } from '@xaa/topology';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import type Provider from 'oidc-provider';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { KEY_OVERLAP_SECONDS } from '../../src/config.ts';
import { DirectoryStore } from '../../src/db/directory.ts';
import { migrations } from '../../src/db/schema.ts';
import { decodeSamlSubjectToken } from '../../src/issuance/verify-saml-assertion.ts';
import { verifySubjectToken } from '../../src/issuance/verify-subject-token.ts';
import { KeyStore } from '../../src/keys/key-store.ts';
import { createLoginResponse } from '../../src/saml/login-response.ts';
import { NAMEID_EMAIL, SamlRegistrations } from '../../src/saml/registrations.ts';
import { samlFor } from '../../src/saml/service.ts';
import { seed, seededUserId } from '../../src/seed.ts';

const ISSUER = 'http://idp.test';
const NOW = 1_800_000_000;
let clock = NOW;
const now = () => clock * 1000;
const db = openDatabase(':memory:', migrations);
const directory = new DirectoryStore(db, now);
const keys = new KeyStore(db, now, 3600);
const idp = { issuer: ISSUER, keys, directory, db, now };
const saml = samlFor(idp);
const provider = {} as Provider;
const registrations = new SamlRegistrations(db, now);
const topology = defaultTopology({ dataDir: '/nonexistent' });
const desktop = topology.clients.find((c) => c.name === 'acme-desktop')?.saml as { entity_id: string; acs_url: string };
/** A second SAML app for cross-SP cases: Acme Agent, registered for SAML too. */
const OTHER_SP = { entity_id: 'http://agent.test/saml/acme-agent', acs_url: 'http://agent.test/saml/acs-agent' };

beforeAll(async () => {
  await keys.ensure('ES256');
  await seed(directory, topology);
  registrations.put({
    client_id: 'acme-agent',
    entity_id: OTHER_SP.entity_id,
    acs_urls: [OTHER_SP.acs_url],
    name_id_format: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    certificate: null,
  });
});

const parse = (xml: string) => new DOMParser().parseFromString(xml, 'text/xml') as unknown as Document;
const serialize = (n: Node) => new XMLSerializer().serializeToString(n as never);
const b64url = (xml: string) => Buffer.from(xml, 'utf8').toString('base64url');
const A = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** A genuine SAML Response from the IdP's Web SSO code; `service` lets a test sign as another issuer or key. */
async function response(opts: { username?: string; client?: string; acs?: string; at?: number; service?: ReturnType<typeof samlFor> } = {}) {
  const service = opts.service ?? saml;
  const reg = registrations.get(opts.client ?? 'acme-desktop');
  if (!reg) throw new Error('no registration');
  const user = directory.findUserByUsername(opts.username ?? 'alice');
  if (!user) throw new Error('no user');
  const at = opts.at ?? clock;
  const { samlResponse } = await createLoginResponse(service, await service.keys.current(), {
    reg,
    acs: opts.acs ?? (reg.acs_urls[0] as string),
    requestId: '_req1',
    user,
    authTime: at - 20,
    nowSeconds: at,
  });
  return Buffer.from(samlResponse, 'base64').toString('utf8');
}

/** The Assertion element of a Response, serialised on its own (what a client presents). */
function assertionOf(responseXml: string): string {
  const doc = parse(responseXml);
  return serialize(doc.getElementsByTagNameNS(A, 'Assertion')[0] as unknown as Node);
}

const verify = (token: string, clientId = 'acme-desktop', at = clock) =>
  verifySubjectToken(idp, provider, { subject_token: token, subject_token_type: TOKEN_TYPE_SAML2, clientId }, at);

async function failure(p: Promise<unknown>): Promise<OAuthError> {
  try {
    await p;
  } catch (e) {
    return e as OAuthError;
  }
  throw new Error('expected a failure');
}

async function code(p: Promise<unknown>): Promise<string> {
  const e = await failure(p);
  expect(e.error).toBe('invalid_grant');
  return e.code;
}

describe('a genuine assertion (RFC 8693 §3, draft-04 §4.3.3)', () => {
  it('is accepted: the user by persistent NameID (the OIDC sub), auth_time from AuthnInstant', async () => {
    const v = await verify(b64url(assertionOf(await response())));
    expect(v.kind).toBe('saml2');
    expect(v.user.id).toBe(seededUserId('alice'));
    expect(v.authTime).toBe(clock - 20);
    expect(v.saml).toMatchObject({ issuer: ISSUER, audience: desktop.entity_id, nameId: seededUserId('alice'), wrapped: false });
    expect(v.saml?.signature.algorithm).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
  });

  it('is accepted in standard base64 with padding and line breaks as well as base64url (RFC 7522 §2.1)', async () => {
    const xml = assertionOf(await response());
    const wrapped = Buffer.from(xml)
      .toString('base64')
      .replace(/(.{76})/g, '$1\n');
    expect((await verify(wrapped)).user.username).toBe('alice');
    expect(decodeSamlSubjectToken(`${b64url(xml)}==`)).toBe(xml);
  });

  it('is accepted inside its signed Response, still by the Assertion’s own signature', async () => {
    const v = await verify(b64url(await response({ username: 'bob' })));
    expect(v.user.username).toBe('bob');
    expect(v.saml?.wrapped).toBe(true);
  });

  it('resolves an emailAddress NameID to the same user (SAML Core §8.3.2)', async () => {
    const reg = registrations.get('acme-desktop');
    if (!reg) throw new Error('no reg');
    registrations.put({ ...reg, name_id_format: NAMEID_EMAIL });
    try {
      const xml = assertionOf(await response({ username: 'dave' }));
      expect(xml).toContain('>dave@acme.test<');
      expect((await verify(b64url(xml))).user.id).toBe(seededUserId('dave'));
    } finally {
      registrations.put(reg);
    }
  });

  it('is exchanged once only (SAML Profiles §4.1.4.5)', async () => {
    const token = b64url(assertionOf(await response()));
    await verify(token);
    expect(await code(verify(token))).toBe('ERR_SAML_REPLAY');
  });
});

describe('encoding and parsing', () => {
  it.each([
    ['not base64', 'ERR_SAML_ENCODING', 'not base64 at all!'],
    ['a JWT', 'ERR_SAML_ENCODING', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'],
    ['empty', 'ERR_SAML_ENCODING', '   '],
    ['not XML', 'ERR_SAML_MALFORMED', b64url('hello')],
    ['unclosed XML', 'ERR_SAML_MALFORMED', b64url('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">')],
    ['a DTD (XXE)', 'ERR_SAML_DTD', b64url('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')],
    ['another XML document', 'ERR_SAML_ASSERTION_COUNT', b64url('<a xmlns="urn:x"/>')],
    ['not UTF-8', 'ERR_SAML_ENCODING', Buffer.from([0x3c, 0xff, 0xfe, 0x3e]).toString('base64url')],
    ['too large', 'ERR_SAML_TOO_LARGE', 'A'.repeat(100_000)],
    [
      'deeply nested (stack exhaustion)',
      'ERR_SAML_MALFORMED',
      b64url(`<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${'<a>'.repeat(8_000)}${'</a>'.repeat(8_000)}</saml:Assertion>`),
    ],
  ])('%s → %s', async (_name, expected, token) => {
    expect(await code(verify(token))).toBe(expected);
  });
});

describe('signature (SAML Core §5.4): this IdP’s current or overlapping key only', () => {
  it('refuses an assertion signed by another key (foreign signature), even naming this issuer', async () => {
    const otherDb = openDatabase(':memory:', migrations);
    const otherKeys = new KeyStore(otherDb, now, 3600);
    await otherKeys.ensure('ES256');
    const foreign = samlFor({ issuer: ISSUER, keys: otherKeys, db: otherDb, now });
    const xml = assertionOf(
      await createLoginResponse(foreign, await foreign.keys.current(), {
        reg: registrations.get('acme-desktop') as never,
        acs: desktop.acs_url,
        requestId: '_r',
        user: directory.findUserByUsername('alice') as never,
        authTime: clock,
        nowSeconds: clock,
      }).then((r) => Buffer.from(r.samlResponse, 'base64').toString('utf8')),
    );
    expect(await code(verify(b64url(xml)))).toBe('ERR_SAML_SIGNATURE');
  });

  it('ignores a certificate embedded in KeyInfo (key substitution)', async () => {
    const xml = assertionOf(await response());
    expect(xml).toContain('X509Certificate');
    // Tamper and swap in an attacker cert: still our pinned certificates only.
    const tampered = xml.replace(/<ds:X509Certificate>[^<]+</, '<ds:X509Certificate>MIIBAAAA<').replace('>Alice Anders<', '>Mallory<');
    expect(await code(verify(b64url(tampered)))).toBe('ERR_SAML_SIGNATURE');
  });

  it('refuses a changed NameID under the original signature (digest mismatch)', async () => {
    const xml = assertionOf(await response({ username: 'bob' }));
    const forged = xml.replace(seededUserId('bob'), seededUserId('carol'));
    expect(forged).not.toBe(xml);
    expect(await code(verify(b64url(forged)))).toBe('ERR_SAML_SIGNATURE');
  });

  it('refuses a bare assertion with its signature stripped', async () => {
    const doc = parse(assertionOf(await response()));
    const sig = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0] as unknown as Node;
    sig.parentNode?.removeChild(sig);
    expect(await code(verify(b64url(serialize(doc))))).toBe('ERR_SAML_UNSIGNED');
  });

  it('keeps accepting the previous key during its overlap after a rotation, and not after', async () => {
    const before = b64url(assertionOf(await response()));
    const before2 = b64url(assertionOf(await response({ username: 'bob' })));
    await keys.rotate();
    const after = (await saml.keys.current()).certPem;
    expect((await saml.keys.published()).length).toBe(2);
    expect((await verify(before)).user.username).toBe('alice');
    expect(after).not.toBe('');
    // Long after: the old certificate has left the overlap window (and the assertion expired anyway).
    clock = NOW + KEY_OVERLAP_SECONDS + 10;
    try {
      expect((await saml.keys.published()).length).toBe(1);
      expect(await code(verify(before2))).toBe('ERR_SAML_SIGNATURE');
    } finally {
      clock = NOW;
    }
  });
});

describe('classic SAML attacks', () => {
  it('signature wrapping: an unsigned assertion beside the signed one in a Response', async () => {
    const doc = parse(await response({ username: 'bob' }));
    const signed = doc.getElementsByTagNameNS(A, 'Assertion')[0] as unknown as Element;
    const evil = signed.cloneNode(true) as Element;
    evil.setAttribute('ID', '_evil');
    const sig = evil.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0] as unknown as Node;
    evil.removeChild(sig);
    (evil.getElementsByTagNameNS(A, 'NameID')[0] as unknown as Element).textContent = seededUserId('carol');
    signed.parentNode?.insertBefore(evil as never, signed as never);
    expect(await code(verify(b64url(serialize(doc))))).toBe('ERR_SAML_ASSERTION_COUNT');
  });

  it('signature wrapping: a forged assertion with the signed one hidden inside it (Advice)', async () => {
    const doc = parse(assertionOf(await response({ username: 'bob' })));
    const signed = doc.documentElement as unknown as Element;
    const evil = signed.cloneNode(true) as Element;
    (evil.getElementsByTagNameNS(A, 'NameID')[0] as unknown as Element).textContent = seededUserId('carol');
    const advice = doc.createElementNS(A, 'saml:Advice');
    advice.appendChild(signed as never);
    evil.insertBefore(advice, evil.getElementsByTagNameNS(A, 'Conditions')[0] as never);
    const wrappedDoc = parse(serialize(evil as unknown as Node));
    expect(await code(verify(b64url(serialize(wrappedDoc))))).toBe('ERR_SAML_ASSERTION_COUNT');
  });

  it('signature wrapping: a forged root whose signature points at a copy of the signed assertion elsewhere', async () => {
    // One Assertion element only; the genuine one is moved into the signature's ds:Object under the same ID.
    const xml = assertionOf(await response({ username: 'bob' }));
    const doc = parse(xml);
    const root = doc.documentElement as unknown as Element;
    const id = root.getAttribute('ID') as string;
    const sig = root.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0] as unknown as Element;
    const holder = doc.createElementNS('urn:evil', 'evil:Original');
    holder.setAttribute('ID', id);
    const object = doc.createElementNS('http://www.w3.org/2000/09/xmldsig#', 'ds:Object');
    object.appendChild(holder);
    sig.appendChild(object);
    root.setAttribute('ID', '_forged');
    (root.getElementsByTagNameNS(A, 'NameID')[0] as unknown as Element).textContent = seededUserId('carol');
    expect(['ERR_SAML_SIGNATURE_REFERENCE', 'ERR_SAML_SIGNATURE']).toContain(await code(verify(b64url(serialize(doc)))));
  });

  it('comment inside NameID (CVE-2017-11427..11430): refused, never read as a truncated name', async () => {
    const xml = assertionOf(await response({ username: 'bob' }));
    const id = seededUserId('bob');
    const commented = xml.replace(`>${id}<`, `>${id.slice(0, 3)}<!---->${id.slice(3)}<`);
    expect(commented).not.toBe(xml);
    expect(await code(verify(b64url(commented)))).toBe('ERR_SAML_COMMENT');
  });

  it('an unsigned Assertion inside a Response signed by this IdP’s own key', async () => {
    // A Response whose only signature is the Response's (what some IdPs send): the Assertion travels on alone.
    const doc = parse(await response());
    for (const s of Array.from(doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature') as unknown as ArrayLike<Node>))
      s.parentNode?.removeChild(s);
    const unsignedResponse = serialize(doc);
    const key = await saml.keys.current();
    const signer = new SignedXml({
      privateKey: key.privatePem,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    signer.addReference({
      xpath: "/*[local-name(.)='Response']",
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    });
    signer.computeSignature(unsignedResponse, {
      prefix: 'ds',
      location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' },
    });
    const signedResponse = signer.getSignedXml();
    expect(signedResponse).toContain('SignatureValue');
    expect(await code(verify(b64url(signedResponse)))).toBe('ERR_SAML_UNSIGNED');
  });

  it('a Response for another SP, presented by this client', async () => {
    const other = await response({ client: 'acme-agent' });
    expect(await code(verify(b64url(other)))).toBe('ERR_SAML_RESPONSE_DESTINATION');
  });
});

describe('issuer, conditions, audience, subject (SAML Core §2, SAML Profiles §4.1.4.2)', () => {
  it('refuses an assertion naming another issuer, even under this IdP’s key', async () => {
    const impostor = samlFor({ issuer: 'http://evil.test', keys, db, now });
    expect(await code(verify(b64url(assertionOf(await response({ service: impostor })))))).toBe('ERR_SAML_ISSUER');
  });

  it('refuses an expired assertion (Conditions NotOnOrAfter, 30 s skew) and accepts within the skew', async () => {
    const token = b64url(assertionOf(await response()));
    expect(await code(verify(token, 'acme-desktop', NOW + 300 + 30))).toBe('ERR_SAML_EXPIRED');
    expect((await verify(token, 'acme-desktop', NOW + 300 + 29)).user.username).toBe('alice');
  });

  it('refuses an assertion issued in the future', async () => {
    const token = b64url(assertionOf(await response({ at: NOW + 120 })));
    expect(await code(verify(token))).toBe('ERR_SAML_ISSUE_INSTANT');
  });

  it('audience of another app: an assertion for Acme Agent’s SP, presented by Acme Desktop', async () => {
    expect(await code(verify(b64url(assertionOf(await response({ client: 'acme-agent' })))))).toBe('ERR_SAML_AUDIENCE');
  });

  it('audience of another app: Acme Desktop’s assertion, presented by Acme Agent', async () => {
    expect(await code(verify(b64url(assertionOf(await response())), 'acme-agent'))).toBe('ERR_SAML_AUDIENCE');
  });

  it('a client with no SAML registration cannot present any assertion', async () => {
    expect(await code(verify(b64url(assertionOf(await response())), 'acme-chat'))).toBe('ERR_SAML_CLIENT_NOT_SAML');
  });

  it('refuses a bearer confirmation for an ACS the client did not register (Recipient)', async () => {
    const token = b64url(assertionOf(await response({ acs: 'http://evil.test/acs' })));
    expect(await code(verify(token))).toBe('ERR_SAML_BEARER');
  });

  it('refuses a NameID in a format other than the app’s registered one', async () => {
    const token = b64url(assertionOf(await response()));
    const reg = registrations.get('acme-desktop');
    if (!reg) throw new Error('no reg');
    registrations.put({ ...reg, name_id_format: NAMEID_EMAIL });
    try {
      expect(await code(verify(token))).toBe('ERR_SAML_NAMEID_FORMAT');
    } finally {
      registrations.put(reg);
    }
  });
});

describe('the user (central revocation)', () => {
  it('refuses a disabled user, then accepts again once re-enabled', async () => {
    const dave = seededUserId('dave');
    const token = b64url(assertionOf(await response({ username: 'dave' })));
    directory.updateUser(dave, { disabled: true });
    try {
      expect(await code(verify(token))).toBe('ERR_SUBJECT_USER_DISABLED');
    } finally {
      directory.updateUser(dave, { disabled: false });
    }
    // The refusal did not burn the assertion.
    expect((await verify(token)).user.username).toBe('dave');
  });

  it('refuses an assertion issued before the user’s sessions were revoked', async () => {
    const bob = seededUserId('bob');
    const token = b64url(assertionOf(await response({ username: 'bob' })));
    directory.updateUser(bob, { not_before: NOW + 1 });
    try {
      expect(await code(verify(token, 'acme-desktop', NOW + 2))).toBe('ERR_SUBJECT_REVOKED');
    } finally {
      directory.updateUser(bob, { not_before: 0 });
    }
  });
});

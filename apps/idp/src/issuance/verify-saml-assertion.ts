/**
 * Verification of a SAML 2.0 Assertion presented as a token-exchange subject token
 * (`subject_token_type=urn:ietf:params:oauth:token-type:saml2`, RFC 8693 §3; draft-04 §4.3.3 and §4.5).
 *
 * Order of the checks, each failure an `invalid_grant` (RFC 8693 §2.2.2) with a stable code:
 *
 * 1. decode: base64url as RFC 8693 §3 / RFC 7522 §2.1 say, standard base64 accepted too, padding and
 *    whitespace tolerated (the signature does the security work, not the encoding);
 * 2. parse once, with no DTD (XXE, entity expansion) and no comments anywhere (comment injection that
 *    truncates a NameID, CVE-2017-11427..11430, CVE-2018-0489); exactly one `<Assertion>` in the whole
 *    document, either as the root or as the only child of a `<samlp:Response>` whose status is Success
 *    and whose Destination, when present, is the client's own ACS (a Response for another SP);
 * 3. XML Signature (SAML Core §5.4): the Assertion itself must carry exactly one enveloped signature with one
 *    Reference to its own ID, exclusive c14n, RSA-SHA256/512 — a signature on the Response alone is not
 *    enough, since the bare Assertion is what travels on. Verified by xml-crypto against this IdP's
 *    current or still-overlapping SAML certificates only; `<ds:KeyInfo>` is ignored (key substitution);
 * 4. everything after reads only the XML that xml-crypto returns as signed (`getSignedReferences`), never
 *    the presented document: an unsigned assertion beside or inside the signed one (signature
 *    wrapping) cannot be what we read;
 * 5. `Version`, `Issuer` = this IdP's entity ID (SAML Core §2.3.3), `IssueInstant` not in the future;
 * 6. `Conditions` `NotBefore`/`NotOnOrAfter` with clock skew (SAML Core §2.5.1.2), no condition we do not
 *    understand (§2.5.1: Indeterminate);
 * 7. every `AudienceRestriction` names the SP entity ID registered for the *authenticated* client
 *    (SAML Core §2.5.1.4; draft-04 §4.3.3: the audience must map to the client making the request);
 * 8. a bearer `SubjectConfirmation` (SAML Profiles §4.1.4.2): `NotOnOrAfter` in the future, no
 *    `NotBefore`, `Recipient` = one of the client's registered ACS URLs;
 * 9. `NameID` in the client's registered format, its qualifiers ours, naming a user of this directory
 *    (persistent: the user's stable id, the OIDC `sub`; emailAddress: the user's email);
 * 10. `AuthnStatement` with `AuthnInstant` (SAML Profiles §4.1.4.2), carried as `auth_time`.
 *
 * What it does not do: check the user is enabled or not revoked (the caller does that for every
 * subject token type), remember the assertion against replay (the caller's `markUsed`, last, so a
 * refused attempt does not burn it), authenticate the client, or evaluate policy.
 */
import { InvalidGrant, type SamlSubjectErrorCode, type SubjectErrorCode } from '@xaa/protocol';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';

export const SAML_ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const SAML_PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DS_NS = 'http://www.w3.org/2000/09/xmldsig#';
const STATUS_SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const CM_BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const NAMEID_ENTITY = 'urn:oasis:names:tc:SAML:2.0:nameid-format:entity';
const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SIGNATURE_ALGS = ['http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512'];
const DIGEST_ALGS = ['http://www.w3.org/2001/04/xmlenc#sha256', 'http://www.w3.org/2001/04/xmlenc#sha512'];

/** Decoded size cap: our assertions are a few kilobytes. */
export const MAX_ASSERTION_BYTES = 64 * 1024;

export interface SamlVerifyContext {
  /** This IdP's SAML entity ID (its issuer). */
  entityId: string;
  /** PEM certificates whose signatures are accepted: the current SAML key and those still in overlap. */
  certificates: string[];
  /** The authenticated client. */
  clientId: string;
  /** The SAML registration of the authenticated client, if it has one. */
  registration: { entity_id: string; acs_urls: string[]; name_id_format: string } | undefined;
  /** Resolve a NameID to a user id (persistent: by id; emailAddress: by email). */
  findUser: (format: string, value: string) => { id: string } | undefined;
  clockSkewSeconds: number;
}

export interface VerifiedSamlAssertion {
  assertionId: string;
  issuer: string;
  userId: string;
  nameId: string;
  nameIdFormat: string;
  audience: string;
  /** Seconds since the epoch. */
  issueInstant: number;
  notOnOrAfter: number;
  authnInstant: number;
  /** True when the subject token was a `<samlp:Response>` wrapping the Assertion. */
  wrapped: boolean;
  signature: { algorithm: string; certificate: number };
}

const SPEC_SUBJECT = 'draft-04 §4.3.3';

function fail(code: SamlSubjectErrorCode | SubjectErrorCode, description: string, specRef: string): never {
  throw new InvalidGrant(description, { code, specRef });
}

/** RFC 8693 §3 / RFC 7522 §2.1: base64url (standard base64 accepted), padding and whitespace tolerated. */
export function decodeSamlSubjectToken(token: string): string {
  const compact = token.replace(/[\s]+/g, '');
  if (compact === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact))
    fail('ERR_SAML_ENCODING', 'The SAML subject token is not base64url (or base64) encoded.', 'RFC 8693 §3');
  if ((compact.length * 3) / 4 > MAX_ASSERTION_BYTES) fail('ERR_SAML_TOO_LARGE', 'The SAML subject token is too large.', 'RFC 8693 §3');
  const bytes = Buffer.from(compact.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('ERR_SAML_ENCODING', 'The SAML subject token does not decode to UTF-8 XML.', 'RFC 8693 §3');
  }
}

function parseStrict(xml: string, what: string): Document {
  if (/<!DOCTYPE/i.test(xml)) fail('ERR_SAML_DTD', `The ${what} has a DTD; DTDs are refused (XML external entities, entity expansion).`, 'SAML Core §1.3');
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(xml, 'text/xml');
    if (!doc.documentElement) throw new Error('no root element');
    return doc as unknown as Document;
  } catch {
    return fail('ERR_SAML_MALFORMED', `The ${what} is not well-formed XML.`, 'RFC 8693 §3');
  }
}

const isElement = (n: Node | null | undefined): n is Element => !!n && n.nodeType === 1;
const children = (el: Element, ns: string, local: string): Element[] =>
  Array.from(el.childNodes as unknown as ArrayLike<Node>).filter((n): n is Element => isElement(n) && n.namespaceURI === ns && n.localName === local);
const descendants = (root: Document | Element, ns: string, local: string): Element[] =>
  Array.from((root as Element).getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>);

/** Every node, iteratively (a deeply nested document must not exhaust the stack). */
function walk(node: Node, visit: (n: Node) => void) {
  const stack: Node[] = [node];
  while (stack.length) {
    const n = stack.pop() as Node;
    visit(n);
    for (const c of Array.from(n.childNodes as unknown as ArrayLike<Node>)) stack.push(c);
  }
}

/** Element nesting depth of the raw text, counted without parsing (our assertions are about 6 deep). */
const MAX_DEPTH = 64;
function tooDeep(xml: string): boolean {
  let depth = 0;
  for (const m of xml.matchAll(/<(\/?)[A-Za-z_][^>]*?(\/?)>/g)) {
    if (m[1]) depth--;
    else if (!m[2]) depth++;
    if (depth > MAX_DEPTH) return true;
  }
  return false;
}

function one(el: Element, ns: string, local: string, code: SamlSubjectErrorCode, description: string, specRef: string): Element {
  const found = children(el, ns, local);
  if (found.length !== 1) fail(code, description, specRef);
  return found[0] as Element;
}

/** xs:dateTime (SAML Core §1.3.3: UTC) to epoch seconds. */
function instant(value: string | null, code: SamlSubjectErrorCode, what: string, specRef: string): number {
  const ms = value && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) fail(code, `The assertion's ${what} is missing or not a UTC xs:dateTime.`, specRef);
  return Math.floor(ms / 1000);
}

/** The one enveloped signature of `el`, checked for shape (SAML Core §5.4.2–§5.4.4) before any crypto. */
function signatureOf(el: Element, id: string, what: string): Element {
  const sigs = children(el, DS_NS, 'Signature');
  if (sigs.length === 0)
    fail('ERR_SAML_UNSIGNED', `The ${what} is not signed; the Assertion itself must carry this IdP's signature.`, 'SAML Profiles §4.1.3.5');
  if (sigs.length > 1) fail('ERR_SAML_SIGNATURE_SHAPE', `The ${what} has more than one signature.`, 'SAML Core §5.4.2');
  const sig = sigs[0] as Element;
  const signedInfo = one(sig, DS_NS, 'SignedInfo', 'ERR_SAML_SIGNATURE_SHAPE', `The ${what}'s signature has no single SignedInfo.`, 'SAML Core §5.4.2');
  const c14n = children(signedInfo, DS_NS, 'CanonicalizationMethod')[0]?.getAttribute('Algorithm');
  const alg = children(signedInfo, DS_NS, 'SignatureMethod')[0]?.getAttribute('Algorithm') ?? '';
  const refs = children(signedInfo, DS_NS, 'Reference');
  if (refs.length !== 1 || refs[0]?.getAttribute('URI') !== `#${id}`)
    fail('ERR_SAML_SIGNATURE_REFERENCE', `The ${what}'s signature must have exactly one Reference, to the ${what}'s own ID.`, 'SAML Core §5.4.2');
  const ref = refs[0] as Element;
  const transforms = children(ref, DS_NS, 'Transforms').flatMap((t) => children(t, DS_NS, 'Transform').map((x) => x.getAttribute('Algorithm') ?? ''));
  const digest = children(ref, DS_NS, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? '';
  if (c14n !== EXC_C14N || transforms.some((t) => t !== ENVELOPED && t !== EXC_C14N) || !transforms.includes(ENVELOPED))
    fail('ERR_SAML_SIGNATURE_SHAPE', `The ${what}'s signature must be enveloped with exclusive canonicalisation.`, 'SAML Core §5.4.3, §5.4.4');
  if (!SIGNATURE_ALGS.includes(alg) || !DIGEST_ALGS.includes(digest))
    fail('ERR_SAML_SIGNATURE_ALG', `The ${what}'s signature uses an algorithm this IdP does not accept (RSA-SHA256 or RSA-SHA512 only).`, 'SAML Core §5.4.1');
  return sig;
}

/**
 * Verify with each accepted certificate in turn (xml-crypto), returning the signed XML of the one
 * Reference — the only XML read afterwards.
 */
function verifySignature(xml: string, sig: Element, certificates: string[], what: string): { signed: string; algorithm: string; certificate: number } {
  for (const [index, cert] of certificates.entries()) {
    const verifier = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
    // Allow-list (SAML Core §5.4.1): no SHA-1, no HMAC, no inclusive or with-comments canonicalisation.
    verifier.SignatureAlgorithms = Object.fromEntries(SIGNATURE_ALGS.map((a) => [a, verifier.SignatureAlgorithms[a]])) as typeof verifier.SignatureAlgorithms;
    verifier.HashAlgorithms = Object.fromEntries(DIGEST_ALGS.map((a) => [a, verifier.HashAlgorithms[a]])) as typeof verifier.HashAlgorithms;
    verifier.CanonicalizationAlgorithms = Object.fromEntries(
      [EXC_C14N, ENVELOPED].map((a) => [a, verifier.CanonicalizationAlgorithms[a]]),
    ) as typeof verifier.CanonicalizationAlgorithms;
    try {
      verifier.loadSignature(sig.toString());
      if (verifier.checkSignature(xml) !== true) continue;
    } catch {
      continue;
    }
    const refs = verifier.getSignedReferences();
    if (refs.length === 1) return { signed: refs[0] as string, algorithm: verifier.signatureAlgorithm ?? '', certificate: index };
  }
  return fail(
    'ERR_SAML_SIGNATURE',
    `The ${what}'s signature does not verify with this IdP's current or previous SAML signing certificates.`,
    'SAML Core §5.4; draft-04 §4.3.3',
  );
}

export function verifySamlAssertion(token: string, ctx: SamlVerifyContext, nowSeconds: number): VerifiedSamlAssertion {
  try {
    return verify(token, ctx, nowSeconds);
  } catch (e) {
    if (e instanceof InvalidGrant) throw e;
    // Whatever else a hostile document provokes in the XML libraries is a bad subject token, not a 500.
    throw new InvalidGrant('The SAML subject token could not be processed.', { code: 'ERR_SAML_MALFORMED', specRef: 'RFC 8693 §2.2.2', cause: e });
  }
}

function verify(token: string, ctx: SamlVerifyContext, nowSeconds: number): VerifiedSamlAssertion {
  const xml = decodeSamlSubjectToken(token);
  if (tooDeep(xml)) fail('ERR_SAML_MALFORMED', `The SAML subject token nests elements deeper than ${MAX_DEPTH}.`, 'RFC 8693 §3');
  const doc = parseStrict(xml, 'SAML subject token');
  const root = doc.documentElement as Element;

  // Comment injection (CVE-2017-11427..11430): comments vanish in exclusive c14n and truncate a naive
  // NameID read; our IdP never writes any, so any comment is a tampered document.
  walk(doc as unknown as Node, (n) => {
    if (n.nodeType === 8) fail('ERR_SAML_COMMENT', 'The SAML subject token contains an XML comment; comments are refused.', 'SAML Core §5.4.3');
    if (n.nodeType === 7 && (n as ProcessingInstruction).target !== 'xml')
      fail('ERR_SAML_MALFORMED', 'The SAML subject token contains a processing instruction.', 'SAML Core §5.4.3');
  });
  for (const local of ['EncryptedAssertion', 'EncryptedID', 'EncryptedAttribute'])
    if (descendants(doc, SAML_ASSERTION_NS, local).length)
      fail('ERR_SAML_ENCRYPTED', 'Encrypted SAML content is not accepted as a subject token.', 'RFC 8693 §3');

  // Signature wrapping: exactly one Assertion anywhere, in the only place we accept it.
  const assertions = descendants(doc, SAML_ASSERTION_NS, 'Assertion');
  if (assertions.length !== 1)
    fail('ERR_SAML_ASSERTION_COUNT', `The SAML subject token must hold exactly one Assertion (found ${assertions.length}).`, 'SAML Profiles §4.1.4.2');
  const assertion = assertions[0] as Element;
  let wrapped = false;
  if (root.namespaceURI === SAML_PROTOCOL_NS && root.localName === 'Response') {
    wrapped = true;
    if (assertion.parentNode !== (root as unknown as Node))
      fail('ERR_SAML_ASSERTION_COUNT', 'The Assertion must be a direct child of the Response.', 'SAML Core §3.3.3');
    const status = one(root, SAML_PROTOCOL_NS, 'Status', 'ERR_SAML_RESPONSE_STATUS', 'The Response has no Status.', 'SAML Core §3.2.2');
    const code = children(status, SAML_PROTOCOL_NS, 'StatusCode');
    if (code.length !== 1 || code[0]?.getAttribute('Value') !== STATUS_SUCCESS || children(code[0] as Element, SAML_PROTOCOL_NS, 'StatusCode').length)
      fail('ERR_SAML_RESPONSE_STATUS', 'The Response status is not Success.', 'SAML Core §3.2.2.2');
    const destination = root.getAttribute('Destination');
    if (destination && !ctx.registration?.acs_urls.includes(destination))
      fail('ERR_SAML_RESPONSE_DESTINATION', "The Response was sent to another SP's ACS, not this client's.", 'SAML Bindings §3.5.5.2');
    // A Response signature, when present, must verify too; it never stands in for the Assertion's own.
    if (children(root, DS_NS, 'Signature').length) {
      const responseId = root.getAttribute('ID') ?? '';
      verifySignature(xml, signatureOf(root, responseId, 'Response'), ctx.certificates, 'Response');
    }
  } else if (root !== assertion) {
    fail('ERR_SAML_NOT_ASSERTION', 'The SAML subject token must be a SAML 2.0 Assertion (or a Response holding one).', 'RFC 8693 §3');
  }
  for (const s of descendants(doc, DS_NS, 'Signature'))
    if (s.parentNode !== (assertion as unknown as Node) && s.parentNode !== (root as unknown as Node))
      fail('ERR_SAML_SIGNATURE_SHAPE', 'A signature appears where none belongs.', 'SAML Core §5.4.2');

  const assertionId = assertion.getAttribute('ID') ?? '';
  if (!/^[A-Za-z_][\w.-]*$/.test(assertionId)) fail('ERR_SAML_MALFORMED', 'The Assertion has no valid ID.', 'SAML Core §2.3.3');
  const sig = signatureOf(assertion, assertionId, 'Assertion');
  const verified = verifySignature(xml, sig, ctx.certificates, 'Assertion');

  // From here on, only the signed XML (xml-crypto's canonical form of the one Reference) is read.
  const signedDoc = parseStrict(verified.signed, 'signed Assertion');
  const a = signedDoc.documentElement as Element;
  if (a.namespaceURI !== SAML_ASSERTION_NS || a.localName !== 'Assertion' || a.getAttribute('ID') !== assertionId)
    fail('ERR_SAML_SIGNATURE_REFERENCE', 'The signature does not cover the Assertion.', 'SAML Core §5.4.2');

  if (a.getAttribute('Version') !== '2.0') fail('ERR_SAML_VERSION', 'The Assertion is not SAML 2.0.', 'SAML Core §2.3.3');
  const issuerEl = one(a, SAML_ASSERTION_NS, 'Issuer', 'ERR_SAML_ISSUER', 'The Assertion has no single Issuer.', 'SAML Core §2.3.3');
  const issuer = issuerEl.textContent ?? '';
  const issuerFormat = issuerEl.getAttribute('Format');
  if (issuer !== ctx.entityId || (issuerFormat && issuerFormat !== NAMEID_ENTITY))
    fail('ERR_SAML_ISSUER', 'The Assertion was not issued by this IdP.', 'SAML Profiles §4.1.4.2; draft-04 §4.3.3');
  const skew = ctx.clockSkewSeconds;
  const issueInstant = instant(a.getAttribute('IssueInstant'), 'ERR_SAML_ISSUE_INSTANT', 'IssueInstant', 'SAML Core §2.3.3');
  if (issueInstant > nowSeconds + skew) fail('ERR_SAML_ISSUE_INSTANT', 'The Assertion is issued in the future.', 'SAML Core §2.3.3');

  // Conditions (SAML Core §2.5.1): required here, since the subject token must expire.
  const conditions = one(a, SAML_ASSERTION_NS, 'Conditions', 'ERR_SAML_CONDITIONS', 'The Assertion has no single Conditions element.', 'SAML Core §2.5.1');
  const notOnOrAfter = instant(conditions.getAttribute('NotOnOrAfter'), 'ERR_SAML_CONDITIONS', 'Conditions NotOnOrAfter', 'SAML Core §2.5.1.2');
  if (conditions.hasAttribute('NotBefore')) {
    const notBefore = instant(conditions.getAttribute('NotBefore'), 'ERR_SAML_CONDITIONS', 'Conditions NotBefore', 'SAML Core §2.5.1.2');
    if (nowSeconds + skew < notBefore) fail('ERR_SAML_NOT_YET_VALID', 'The Assertion is not valid yet (Conditions NotBefore).', 'SAML Core §2.5.1.2');
  }
  if (nowSeconds - skew >= notOnOrAfter) fail('ERR_SAML_EXPIRED', 'The Assertion has expired (Conditions NotOnOrAfter).', 'SAML Core §2.5.1.2');
  for (const c of Array.from(conditions.childNodes as unknown as ArrayLike<Node>).filter(isElement))
    if (c.namespaceURI !== SAML_ASSERTION_NS || !['AudienceRestriction', 'OneTimeUse'].includes(c.localName ?? ''))
      fail('ERR_SAML_CONDITIONS', `The Assertion has a condition this IdP does not understand (${c.localName}).`, 'SAML Core §2.5.1');

  // AudienceRestriction = the SP entity ID registered for the authenticated client.
  const reg = ctx.registration;
  if (!reg) fail('ERR_SAML_CLIENT_NOT_SAML', `The client ${ctx.clientId} has no SAML registration, so no SAML assertion is addressed to it.`, 'draft-04 §4.5');
  const restrictions = children(conditions, SAML_ASSERTION_NS, 'AudienceRestriction');
  if (restrictions.length === 0) fail('ERR_SAML_AUDIENCE', 'The Assertion has no AudienceRestriction.', 'SAML Profiles §4.1.4.2');
  for (const r of restrictions)
    if (!children(r, SAML_ASSERTION_NS, 'Audience').some((x) => x.textContent === reg.entity_id))
      fail(
        'ERR_SAML_AUDIENCE',
        "The Assertion's audience is not the SP entity ID registered for the authenticated client; an assertion can only be exchanged by the app it was issued to.",
        'SAML Core §2.5.1.4; draft-04 §4.3.3',
      );

  // Subject, bearer confirmation (SAML Profiles §4.1.4.2, §4.1.4.3).
  const subject = one(a, SAML_ASSERTION_NS, 'Subject', 'ERR_SAML_SUBJECT', 'The Assertion has no single Subject.', 'SAML Core §2.4.1');
  const nameIdEl = one(subject, SAML_ASSERTION_NS, 'NameID', 'ERR_SAML_SUBJECT', 'The Assertion Subject has no single NameID.', 'SAML Core §2.4.1');
  const bearer = children(subject, SAML_ASSERTION_NS, 'SubjectConfirmation').filter((s) => s.getAttribute('Method') === CM_BEARER);
  const usable = bearer.some((s) =>
    children(s, SAML_ASSERTION_NS, 'SubjectConfirmationData').some((d) => {
      if (d.hasAttribute('NotBefore')) return false;
      const until = d.getAttribute('NotOnOrAfter');
      const untilS = until && /Z$/.test(until) ? Math.floor(Date.parse(until) / 1000) : Number.NaN;
      return Number.isFinite(untilS) && nowSeconds - skew < untilS && reg.acs_urls.includes(d.getAttribute('Recipient') ?? '');
    }),
  );
  if (!usable)
    fail(
      'ERR_SAML_BEARER',
      "The Assertion has no usable bearer SubjectConfirmation (unexpired, Recipient = the client's ACS URL).",
      'SAML Profiles §4.1.4.2, §4.1.4.3',
    );

  const format = nameIdEl.getAttribute('Format') ?? '';
  if (format !== reg.name_id_format)
    fail('ERR_SAML_NAMEID_FORMAT', `The NameID format is not the one registered for this app (${reg.name_id_format}).`, 'SAML Core §8.3');
  const nq = nameIdEl.getAttribute('NameQualifier');
  const spnq = nameIdEl.getAttribute('SPNameQualifier');
  if ((nq && nq !== ctx.entityId) || (spnq && spnq !== reg.entity_id))
    fail('ERR_SAML_NAMEID_QUALIFIER', "The NameID's qualifiers name another IdP or SP.", 'SAML Core §8.3.7');
  // Full text of the signed element (never a first text child).
  const nameId = nameIdEl.textContent ?? '';
  const user = nameId ? ctx.findUser(format, nameId) : undefined;
  if (!user) fail('ERR_SUBJECT_USER_UNKNOWN', 'The Assertion names an unknown user.', SPEC_SUBJECT);

  const authn = children(a, SAML_ASSERTION_NS, 'AuthnStatement');
  if (authn.length === 0) fail('ERR_SAML_AUTHN_STATEMENT', 'The Assertion has no AuthnStatement.', 'SAML Profiles §4.1.4.2');
  const authnInstant = instant((authn[0] as Element).getAttribute('AuthnInstant'), 'ERR_SAML_AUTHN_STATEMENT', 'AuthnInstant', 'SAML Core §2.7.2');

  return {
    assertionId,
    issuer,
    userId: user.id,
    nameId,
    nameIdFormat: format,
    audience: reg.entity_id,
    issueInstant,
    notOnOrAfter,
    authnInstant,
    wrapped,
    signature: { algorithm: verified.algorithm, certificate: verified.certificate },
  };
}

export { NAMEID_EMAIL, NAMEID_PERSISTENT };

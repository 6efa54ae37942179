/**
 * Decode a SAML 2.0 Response or Assertion for the token inspector — raw XML, base64 (as an HTTP-POST
 * SAMLResponse) or base64url (as a `saml2` subject token, RFC 8693 §3) — and list what a relying party
 * checks, each with its clause. Decoding only: the signature is verified by the IdP at token exchange
 * and by the SP library at the ACS, never here.
 */
import { DOMParser } from '@xmldom/xmldom';

const A = 'urn:oasis:names:tc:SAML:2.0:assertion';
const P = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export interface SamlFinding {
  rule: string;
  ok: boolean;
  title: string;
  detail: string;
  specRef: string;
}

export interface SamlView {
  kind: 'Response' | 'Assertion';
  fields: Array<[string, string]>;
  attributes: Array<[string, string]>;
  findings: SamlFinding[];
}

function decodeInput(input: string): string | undefined {
  const t = input.trim();
  if (t.startsWith('<')) return t;
  const compact = t.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  try {
    const b64 = compact.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
    return text.trimStart().startsWith('<') ? text.trim() : undefined;
  } catch {
    return undefined;
  }
}

const kids = (el: Element, ns: string, local: string): Element[] =>
  Array.from(el.childNodes as unknown as ArrayLike<Node>).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local,
  );
const all = (el: Element | Document, ns: string, local: string): Element[] =>
  Array.from((el as Element).getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>);

function hasComment(n: Node): boolean {
  if (n.nodeType === 8) return true;
  return Array.from(n.childNodes as unknown as ArrayLike<Node>).some(hasComment);
}

/** `undefined` when the input is not SAML at all; otherwise the decoded view. */
export function decodeSaml(input: string, nowSeconds: number, expected?: { issuer?: string }): SamlView | { error: string } | undefined {
  const xml = decodeInput(input);
  if (!xml || !/urn:oasis:names:tc:SAML:2\.0/.test(xml)) return undefined;
  if (/<!DOCTYPE/i.test(xml)) return { error: 'The XML has a DTD: a SAML relying party refuses it (XML external entities).' };
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') throw new Error(msg);
      },
    }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch (e) {
    return { error: `Not well-formed XML: ${(e as Error).message}` };
  }
  const root = doc.documentElement as Element | null;
  if (!root) return { error: 'No root element.' };
  const isResponse = root.namespaceURI === P && root.localName === 'Response';
  const assertions = all(doc, A, 'Assertion');
  const a = assertions[0];
  if (!isResponse && !(root.namespaceURI === A && root.localName === 'Assertion')) return { error: 'Neither a SAML 2.0 Response nor an Assertion.' };
  const fields: Array<[string, string]> = [];
  const findings: SamlFinding[] = [];
  const text = (el: Element | undefined) => el?.textContent ?? '';
  if (isResponse) {
    fields.push(
      ['Response ID', root.getAttribute('ID') ?? ''],
      ['Destination', root.getAttribute('Destination') ?? '—'],
      ['InResponseTo', root.getAttribute('InResponseTo') ?? '—'],
    );
    const status = all(root, P, 'StatusCode')[0]?.getAttribute('Value') ?? '';
    fields.push(['Status', status.split(':').pop() ?? status]);
    findings.push({
      rule: 'response.signed',
      ok: kids(root, DS, 'Signature').length === 1,
      title: 'Response signed',
      detail: 'Over HTTP-POST the Response or each Assertion must be signed; this IdP signs both.',
      specRef: 'SAML Profiles §4.1.3.5',
    });
  }
  findings.push({
    rule: 'assertion.count',
    ok: assertions.length === 1,
    title: 'Exactly one Assertion',
    detail: `${assertions.length} found. More than one is the shape of a signature-wrapping attack.`,
    specRef: 'SAML Profiles §4.1.4.2',
  });
  findings.push({
    rule: 'comments',
    ok: !hasComment(doc as unknown as Node),
    title: 'No XML comments',
    detail: 'Comments vanish in canonicalisation and can truncate a NameID read by a naive parser (CVE-2017-11427).',
    specRef: 'SAML Core §5.4.3',
  });
  if (a) {
    const issuer = text(kids(a, A, 'Issuer')[0]);
    const subject = kids(a, A, 'Subject')[0];
    const nameId = subject ? kids(subject, A, 'NameID')[0] : undefined;
    const conditions = kids(a, A, 'Conditions')[0];
    const audiences = conditions ? all(conditions, A, 'Audience').map((x) => text(x)) : [];
    const data = subject ? all(subject, A, 'SubjectConfirmationData')[0] : undefined;
    const authn = kids(a, A, 'AuthnStatement')[0];
    const notOnOrAfter = conditions?.getAttribute('NotOnOrAfter') ?? '';
    fields.push(
      ['Assertion ID', a.getAttribute('ID') ?? ''],
      ['Issuer', issuer],
      ['IssueInstant', a.getAttribute('IssueInstant') ?? ''],
      ['NameID', text(nameId)],
      ['NameID format', (nameId?.getAttribute('Format') ?? '—').split(':').pop() ?? ''],
      ['Audience', audiences.join(' ') || '—'],
      ['NotBefore', conditions?.getAttribute('NotBefore') ?? '—'],
      ['NotOnOrAfter', notOnOrAfter || '—'],
      ['Recipient', data?.getAttribute('Recipient') ?? '—'],
      ['AuthnInstant', authn?.getAttribute('AuthnInstant') ?? '—'],
    );
    const sig = kids(a, DS, 'Signature')[0];
    const ref = sig ? all(sig, DS, 'Reference')[0]?.getAttribute('URI') : undefined;
    findings.push({
      rule: 'assertion.signed',
      ok: !!sig && ref === `#${a.getAttribute('ID')}`,
      title: 'The Assertion itself is signed',
      detail: sig
        ? `Signature over ${ref} with ${all(sig, DS, 'SignatureMethod')[0]?.getAttribute('Algorithm')?.split('#').pop() ?? '?'}. A saml2 subject token travels without its Response, so its own signature is what counts.`
        : 'No signature on the Assertion: as a saml2 subject token it is refused.',
      specRef: 'SAML Core §5.4.2',
    });
    if (expected?.issuer)
      findings.push({
        rule: 'issuer',
        ok: issuer === expected.issuer,
        title: 'Issued by the playground IdP',
        detail: issuer,
        specRef: 'SAML Profiles §4.1.4.2',
      });
    const exp = Date.parse(notOnOrAfter) / 1000;
    findings.push({
      rule: 'conditions.expiry',
      ok: Number.isFinite(exp) && exp > nowSeconds,
      title: 'Within its validity window',
      detail: Number.isFinite(exp)
        ? exp > nowSeconds
          ? `expires in ${Math.round(exp - nowSeconds)} s`
          : `expired ${Math.round(nowSeconds - exp)} s ago`
        : 'no NotOnOrAfter',
      specRef: 'SAML Core §2.5.1.2',
    });
    findings.push({
      rule: 'audience',
      ok: audiences.length > 0,
      title: 'AudienceRestriction present',
      detail: audiences.length ? `Only the app registered with SP entity ID ${audiences.join(', ')} may exchange it.` : 'No audience: any SP could use it.',
      specRef: 'SAML Core §2.5.1.4; draft-04 §4.3.3',
    });
  }
  const attributes: Array<[string, string]> = a
    ? all(a, A, 'Attribute').map((x) => [
        x.getAttribute('Name') ?? '',
        all(x, A, 'AttributeValue')
          .map((v) => text(v))
          .join(', '),
      ])
    : [];
  return { kind: isResponse ? 'Response' : 'Assertion', fields, attributes, findings };
}

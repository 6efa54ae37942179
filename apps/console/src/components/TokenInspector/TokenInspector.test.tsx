import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { TokenInspector } from './TokenInspector.tsx';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const NOW = 1_800_000_000;
const token = (header: object, claims: object) => `${b64(header)}.${b64(claims)}.c2ln`;
const good = token(
  { alg: 'ES256', kid: 'k1', typ: 'oauth-id-jag+jwt' },
  { iss: 'http://idp', sub: 'u', aud: 'http://as', client_id: 'c', jti: 'j', iat: NOW - 10, exp: NOW + 290, resource: 'http://as/mcp', scope: 'a' },
);

describe('TokenInspector', () => {
  it('decodes and explains each claim, and passes a good ID-JAG', () => {
    const html = renderToStaticMarkup(<TokenInspector token={good} onTokenChange={() => {}} verify={{ state: 'idle' }} now={NOW} />);
    expect(html).toContain('ID-JAG');
    expect(html).toContain('The client&#x27;s identifier at the resource authorization server');
    expect(html).toContain('0 errors');
    expect(html).not.toContain('data-ok="false"');
  });

  it('flags a bad ID-JAG with spec references', () => {
    const bad = token({ alg: 'none', typ: 'JWT' }, { iss: 'http://idp', aud: ['a', 'b'], iat: NOW, exp: NOW + 7200 });
    const html = renderToStaticMarkup(<TokenInspector token={bad} onTokenChange={() => {}} verify={{ state: 'idle' }} now={NOW} />);
    for (const rule of ['typ', 'alg', 'aud.single', 'client_id', 'jti', 'sub', 'lifetime.short']) expect(html).toContain(`data-rule="${rule}" data-ok="false"`);
    expect(html).toContain('draft-04 §4.4.1');
    expect(html).toContain('is not typed');
  });

  it('shows cnf and explains the key binding of a DPoP-bound ID-JAG (RFC 9449, draft-04 §9.8.1)', () => {
    const bound = token(
      { alg: 'ES256', kid: 'k1', typ: 'oauth-id-jag+jwt' },
      {
        iss: 'http://idp',
        sub: 'u',
        aud: 'http://as',
        client_id: 'c',
        jti: 'j',
        iat: NOW - 10,
        exp: NOW + 290,
        resource: 'http://as/mcp',
        cnf: { jkt: 'abc' },
      },
    );
    const html = renderToStaticMarkup(<TokenInspector token={bound} onTokenChange={() => {}} verify={{ state: 'idle' }} now={NOW} />);
    expect(html).toContain('Sender-constrained: bound to a DPoP key');
    expect(html).toContain('data-rule="cnf" data-ok="true"');
    expect(renderToStaticMarkup(<TokenInspector token={good} onTokenChange={() => {}} verify={{ state: 'idle' }} now={NOW} />)).toContain(
      'Bearer: bound to no key',
    );
  });

  it('says so when the input is not a JWT', () => {
    const html = renderToStaticMarkup(<TokenInspector token="hello" onTokenChange={() => {}} verify={{ state: 'idle' }} now={NOW} />);
    expect(html).toContain('Not a JWT');
  });

  it('shows the signature verdict from the backend', () => {
    const ok = renderToStaticMarkup(
      <TokenInspector
        token={good}
        onTokenChange={() => {}}
        now={NOW}
        verify={{ state: 'done', verified: true, label: 'IdP', issuer: 'http://idp', kid: 'k1', alg: 'ES256', jwksUri: 'http://idp/jwks' }}
      />,
    );
    expect(ok).toContain('Signed by IdP');
    const bad = renderToStaticMarkup(
      <TokenInspector
        token={good}
        onTokenChange={() => {}}
        now={NOW}
        verify={{ state: 'done', verified: false, code: 'bad_signature', reason: 'The signature does not verify' }}
      />,
    );
    expect(bad).toContain('The signature does not verify');
  });

  describe('SAML 2.0 Response or Assertion', () => {
    const assertion = (nameId: string, id = '_a1') =>
      `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="2027-01-15T08:00:00Z"><saml:Issuer>http://idp</saml:Issuer>` +
      `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#${id}"/></ds:SignedInfo></ds:Signature>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${nameId}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData Recipient="http://sp/acs" NotOnOrAfter="2027-01-15T08:05:00Z"/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="2027-01-15T07:59:55Z" NotOnOrAfter="2027-01-15T08:05:00Z"><saml:AudienceRestriction><saml:Audience>http://sp/entity</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>alice@acme.test</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion>`;
    const AT = Date.parse('2027-01-15T08:01:00Z') / 1000;
    const render = (t: string) => renderToStaticMarkup(<TokenInspector token={t} onTokenChange={() => {}} verify={{ state: 'idle' }} now={AT} />);

    it('decodes a base64url Assertion (a saml2 subject token) with its fields and checks', () => {
      const html = render(Buffer.from(assertion('u-1')).toString('base64url'));
      expect(html).toContain('SAML 2.0 Assertion');
      expect(html).toContain('http://sp/entity');
      expect(html).toContain('alice@acme.test');
      expect(html).toContain('data-rule="assertion.signed" data-ok="true"');
      expect(html).toContain('data-rule="conditions.expiry" data-ok="true"');
      expect(html).not.toContain('Not a JWT');
    });

    it('flags a wrapped Response (two Assertions) and a comment inside NameID', () => {
      const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Destination="http://sp/acs"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion('u-<!---->1')}${assertion('evil', '_a2')}</samlp:Response>`;
      const html = render(Buffer.from(response).toString('base64'));
      expect(html).toContain('SAML 2.0 Response');
      expect(html).toContain('data-rule="assertion.count" data-ok="false"');
      expect(html).toContain('data-rule="comments" data-ok="false"');
      expect(html).toContain('data-rule="response.signed" data-ok="false"');
    });

    it('refuses a DTD, and says when the input is neither a JWT nor SAML', () => {
      expect(render(`<!DOCTYPE x><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>`)).toContain('DTD');
      expect(render('hello there')).toContain('nor a SAML 2.0 Response or Assertion');
    });
  });
});

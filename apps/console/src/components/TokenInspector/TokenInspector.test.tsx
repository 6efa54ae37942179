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
});

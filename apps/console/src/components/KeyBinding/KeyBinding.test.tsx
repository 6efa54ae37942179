import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { KeyBinding } from './KeyBinding.tsx';

const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

describe('KeyBinding (RFC 9449, RFC 7800 cnf)', () => {
  it('explains a DPoP-bound access token: cnf.jkt, the DPoP scheme, Bearer refused', () => {
    const html = renderToStaticMarkup(<KeyBinding header={{ typ: 'at+jwt' }} claims={{ cnf: { jkt } }} />);
    expect(html).toContain('data-binding="dpop"');
    expect(html).toContain(jkt);
    expect(html).toContain('RFC 7638');
    expect(html).toContain('Authorization: DPoP');
    expect(html).toContain('RFC 9449 §7.2');
  });

  it('explains a bound ID-JAG: redemption needs a proof by that key', () => {
    const html = renderToStaticMarkup(<KeyBinding header={{ typ: 'oauth-id-jag+jwt' }} claims={{ cnf: { jkt } }} />);
    expect(html).toContain('draft-04 §9.8.1.2');
    expect(html).toContain('invalid_grant');
  });

  it('says a token without cnf is a bearer token anyone with a copy can use', () => {
    const html = renderToStaticMarkup(<KeyBinding header={{ typ: 'at+jwt' }} claims={{}} />);
    expect(html).toContain('data-binding="bearer"');
    expect(html).toContain('whoever holds a copy');
  });

  it('explains a DPoP proof, with its key thumbprint and ath', () => {
    const html = renderToStaticMarkup(
      <KeyBinding header={{ typ: 'dpop+jwt', jwk: {} }} claims={{ htm: 'POST', htu: 'http://localhost:4101/mcp', ath: 'x' }} proofJkt={jkt} />,
    );
    expect(html).toContain('data-binding="proof"');
    expect(html).toContain(jkt);
    expect(html).toContain('http://localhost:4101/mcp');
    expect(html).toContain('ath');
  });

  it('says nothing about an ID token', () => {
    expect(renderToStaticMarkup(<KeyBinding header={{ typ: 'JWT' }} claims={{ nonce: 'n' }} />)).toBe('');
  });
});

import type { TokenView } from '@xaa/protocol';
import type { VerifiedSamlAssertion } from './verify-saml-assertion.ts';

/** A verified SAML assertion as the live view shows a token: what was checked, never the XML itself. */
export function samlAssertionView(saml: VerifiedSamlAssertion): TokenView {
  return {
    role: 'saml_assertion',
    header: {
      format: 'SAML 2.0 Assertion',
      signature_algorithm: saml.signature.algorithm,
      signature: saml.signature.certificate === 0 ? 'verified (current IdP certificate)' : 'verified (previous IdP certificate, in overlap)',
      wrapped_in_response: saml.wrapped,
    },
    claims: {
      id: saml.assertionId,
      issuer: saml.issuer,
      name_id: saml.nameId,
      name_id_format: saml.nameIdFormat,
      audience: saml.audience,
      issue_instant: new Date(saml.issueInstant * 1000).toISOString(),
      not_on_or_after: new Date(saml.notOnOrAfter * 1000).toISOString(),
      authn_instant: new Date(saml.authnInstant * 1000).toISOString(),
    },
  };
}

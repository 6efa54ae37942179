/**
 * The SAML `<Response>` for SP-initiated Web SSO (SAML Profiles §4.1.4.2), built from samlify's
 * template mechanism (values are XML-escaped by samlify) and signed by samlify: the Assertion and
 * then the Response, RSA-SHA256, enveloped + exclusive c14n, one Reference to the root ID
 * (SAML Core §5.4.2). The bare Assertion is what a client later presents as a `saml2` subject token,
 * so its own signature matters most.
 *
 * - Conditions NotBefore/NotOnOrAfter, AudienceRestriction = the SP entity ID (SAML Core §2.5.1.4).
 * - Bearer SubjectConfirmation with Recipient = ACS, NotOnOrAfter, InResponseTo, no NotBefore.
 * - NameID: persistent = the user's stable id (the OIDC `sub`), with NameQualifier/SPNameQualifier
 *   (SAML Core §8.3.7), or emailAddress (§8.3.2), per the app's registration.
 * - AuthnStatement with AuthnInstant = the session's auth_time; attributes email, name, groups.
 */
import { randomUUID } from 'node:crypto';
import type { UserRecord } from '../db/directory.ts';
import { idpEntity, samlify, spEntity } from './entities.ts';
import { NAMEID_EMAIL, type SamlRegistration } from './registrations.ts';
import type { SamlKey } from './saml-keys.ts';
import type { SamlService } from './service.ts';

/** Lifetime of an assertion (Conditions and bearer confirmation). */
export const ASSERTION_TTL_SECONDS = 300;

const PWD_CLASS = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';
const ATTR_BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';

const TEMPLATE =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
  '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer>' +
  '<saml:Subject><saml:NameID Format="{NameIDFormat}" NameQualifier="{Issuer}" SPNameQualifier="{Audience}">{NameID}</saml:NameID>' +
  '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Destination}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>' +
  '<saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>' +
  '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>{AuthnContextClassRef}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>' +
  '{AttributeStatement}</saml:Assertion></samlp:Response>';

const ATTRIBUTE = '<saml:Attribute Name="{Name}" NameFormat="{NameFormat}">{Values}</saml:Attribute>';
const VALUE = '<saml:AttributeValue>{Value}</saml:AttributeValue>';

const fill = (xml: string, values: Record<string, string>) => samlify.SamlLib.replaceTagsByValue(xml, values);

function attributeStatement(user: UserRecord): string {
  const attrs: Array<[string, string[]]> = [
    ['email', [user.email]],
    ['name', [user.name]],
    ['groups', [...user.groups]],
  ];
  const body = attrs
    .map(([name, values]) => fill(ATTRIBUTE, { Name: name, NameFormat: ATTR_BASIC }).replace('{Values}', values.map((v) => fill(VALUE, { Value: v })).join('')))
    .join('');
  return `<saml:AttributeStatement>${body}</saml:AttributeStatement>`;
}

export function nameIdFor(reg: SamlRegistration, user: UserRecord): string {
  return reg.name_id_format === NAMEID_EMAIL ? user.email : user.id;
}

export interface LoginResponseInput {
  reg: SamlRegistration;
  acs: string;
  requestId: string;
  user: UserRecord;
  authTime: number;
  nowSeconds: number;
  relayState?: string;
}

/** Build and sign the Response; returns the base64 `SAMLResponse` and the Assertion ID. */
export async function createLoginResponse(saml: SamlService, key: SamlKey, input: LoginResponseInput) {
  const idp = idpEntity(saml, key);
  const sp = spEntity(input.reg, input.acs);
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const assertionId = `_${randomUUID()}`;
  const result = await idp.createLoginResponse(
    sp,
    { extract: { request: { id: input.requestId } } } as never,
    'post',
    {},
    {
      customTagReplacement: (template: string) => {
        void template;
        const xml = fill(TEMPLATE, {
          ID: `_${randomUUID()}`,
          AssertionID: assertionId,
          IssueInstant: iso(input.nowSeconds),
          Destination: input.acs,
          InResponseTo: input.requestId,
          Issuer: saml.entityId,
          NameIDFormat: input.reg.name_id_format,
          NameID: nameIdFor(input.reg, input.user),
          Audience: input.reg.entity_id,
          NotBefore: iso(input.nowSeconds - 5),
          NotOnOrAfter: iso(input.nowSeconds + ASSERTION_TTL_SECONDS),
          AuthnInstant: iso(input.authTime),
          SessionIndex: assertionId,
          AuthnContextClassRef: PWD_CLASS,
        }).replace('{AttributeStatement}', attributeStatement(input.user));
        return { id: assertionId, context: xml };
      },
      ...(input.relayState ? { relayState: input.relayState } : {}),
    },
  );
  return { samlResponse: (result as { context: string }).context, assertionId };
}

/** HTTP-POST binding (SAML Bindings §3.5.4): an auto-submitting form to the ACS. */
export function postForm(acs: string, samlResponse: string, relayState: string | undefined, escapeHtml: (s: string) => string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Signing in…</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(acs)}">
<input type="hidden" name="SAMLResponse" value="${escapeHtml(samlResponse)}">${relayState ? `<input type="hidden" name="RelayState" value="${escapeHtml(relayState)}">` : ''}
<noscript><p>JavaScript is off: press Continue to finish signing in.</p></noscript><button type="submit">Continue</button></form></body></html>`;
}

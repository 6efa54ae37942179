/**
 * The IdP side of a `saml2` subject token: gathers what ./verify-saml-assertion.ts checks against
 * (this IdP's published SAML certificates, the authenticated client's SAML registration, the
 * directory), runs it, then records the assertion as used. One exchange per assertion: SAML Profiles
 * §4.1.4.5 has the relying party remember a bearer assertion's ID until it expires, and a `saml2`
 * subject token is such a bearer assertion. Recording comes last, after the user checks, so a refused
 * attempt does not burn the assertion.
 */
import type { Db } from '@xaa/node-kit';
import { InvalidGrant } from '@xaa/protocol';
import { defaults } from '../config.ts';
import type { IdpContext } from '../context.ts';
import { samlFor } from '../saml/service.ts';
import { NAMEID_EMAIL, NAMEID_PERSISTENT, type VerifiedSamlAssertion, verifySamlAssertion } from './verify-saml-assertion.ts';

/** Stored in oidc-provider's table under a model name of its own (expires with the assertion; `reset` wipes it). */
const REPLAY_MODEL = 'SamlAssertionUsed';

/** Record (Issuer, Assertion ID) until NotOnOrAfter; false when it was already there. */
export function markAssertionUsed(db: Db, issuer: string, assertionId: string, notOnOrAfter: number, nowSeconds: number): boolean {
  const id = `${issuer} ${assertionId}`;
  db.prepare('DELETE FROM oidc WHERE model = ? AND expires_at <= ?').run(REPLAY_MODEL, nowSeconds);
  return (
    db
      .prepare('INSERT INTO oidc (model, id, payload, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT(model, id) DO NOTHING')
      .run(REPLAY_MODEL, id, '{}', Math.max(notOnOrAfter, nowSeconds) + defaults.clockSkew).changes === 1
  );
}

export async function verifySamlSubject<U>(
  idp: Pick<IdpContext, 'issuer' | 'keys' | 'directory'> & Partial<Pick<IdpContext, 'db' | 'now'>>,
  token: string,
  clientId: string,
  nowSeconds: number,
  /** The caller's user checks (enabled, not revoked since IssueInstant); they run before the assertion is recorded. */
  activeUser: (userId: string, issuedAt: number) => U,
): Promise<{ saml: VerifiedSamlAssertion; user: U }> {
  const db = idp.db ?? idp.directory.db;
  const saml = samlFor(
    idp.db && idp.now ? (idp as Pick<IdpContext, 'issuer' | 'keys' | 'db' | 'now'>) : { issuer: idp.issuer, keys: idp.keys, db, now: () => nowSeconds * 1000 },
  );
  const certificates = (await saml.keys.published()).map((k) => k.certPem);
  const app = idp.directory.getApp(clientId);
  const registration = app && !app.disabled ? saml.registrations.get(clientId) : undefined;
  const verified = verifySamlAssertion(
    token,
    {
      entityId: saml.entityId,
      certificates,
      clientId,
      registration,
      clockSkewSeconds: defaults.clockSkew,
      findUser: (format, value) =>
        format === NAMEID_PERSISTENT ? idp.directory.getUser(value) : format === NAMEID_EMAIL ? idp.directory.findUserByEmail(value) : undefined,
    },
    nowSeconds,
  );
  const user = activeUser(verified.userId, verified.issueInstant);
  if (!markAssertionUsed(db, verified.issuer, verified.assertionId, verified.notOnOrAfter, nowSeconds))
    throw new InvalidGrant('This SAML assertion was already exchanged; sign in again for a new one.', {
      code: 'ERR_SAML_REPLAY',
      specRef: 'SAML Profiles §4.1.4.5',
    });
  return { saml: verified, user };
}

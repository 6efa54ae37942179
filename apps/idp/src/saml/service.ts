/**
 * The SAML side of the IdP, shared by its routes, the admin API and token exchange: one instance per
 * running IdP (keyed by its context), so nothing else has to carry it.
 */
import { KEY_OVERLAP_SECONDS } from '../config.ts';
import type { IdpContext } from '../context.ts';
import { SamlRegistrations } from './registrations.ts';
import { SamlKeyStore } from './saml-keys.ts';

export interface SamlService {
  /** This IdP's SAML entity ID: its issuer identifier, the same name OIDC uses. */
  entityId: string;
  metadataUrl: string;
  ssoUrl: string;
  keys: SamlKeyStore;
  registrations: SamlRegistrations;
}

export const SAML_PATHS = { metadata: '/saml/metadata', sso: '/saml/sso', resume: '/saml/resume' } as const;

const services = new WeakMap<Pick<IdpContext, 'db'>, SamlService>();

export function samlFor(idp: Pick<IdpContext, 'issuer' | 'db' | 'now' | 'keys'>): SamlService {
  let s = services.get(idp);
  if (!s) {
    s = {
      entityId: idp.issuer,
      metadataUrl: `${idp.issuer}${SAML_PATHS.metadata}`,
      ssoUrl: `${idp.issuer}${SAML_PATHS.sso}`,
      keys: new SamlKeyStore(idp.db, idp.now, KEY_OVERLAP_SECONDS, () => idp.keys.current()?.kid, 'Acme Workforce'),
      registrations: new SamlRegistrations(idp.db, idp.now),
    };
    services.set(idp, s);
  }
  return s;
}

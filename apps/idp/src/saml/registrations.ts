/**
 * SAML SP registrations (`saml_apps`): an app at the IdP is OIDC (its `apps` row), SAML (this row),
 * or both. A registration holds the SP entity ID (the `<Audience>` of its assertions, SAML Core
 * §2.5.1.4), the exact ACS URLs responses may go to (SAML Profiles §4.1.4.1), the NameID format, and
 * an optional SP certificate: when present, AuthnRequests must be signed with it.
 */
import type { Db } from '@xaa/node-kit';

export const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
export const NAMEID_FORMATS = [NAMEID_PERSISTENT, NAMEID_EMAIL] as const;
export type NameIdFormat = (typeof NAMEID_FORMATS)[number];

export interface SamlRegistration {
  client_id: string;
  entity_id: string;
  acs_urls: string[];
  name_id_format: NameIdFormat;
  /** PEM or base64 DER of the SP's signing certificate; null = AuthnRequests need no signature. */
  certificate: string | null;
  created_at: number;
  updated_at: number;
}

type Row = Omit<SamlRegistration, 'acs_urls'> & { acs_urls: string };

const toRecord = (r: Row): SamlRegistration => ({ ...r, acs_urls: JSON.parse(r.acs_urls) as string[] });

export class SamlRegistrations {
  constructor(
    private readonly db: Db,
    private readonly nowMs: () => number = Date.now,
  ) {}

  list(): SamlRegistration[] {
    return (this.db.prepare('SELECT * FROM saml_apps ORDER BY client_id').all() as Row[]).map(toRecord);
  }

  get(clientId: string): SamlRegistration | undefined {
    const r = this.db.prepare('SELECT * FROM saml_apps WHERE client_id = ?').get(clientId) as Row | undefined;
    return r ? toRecord(r) : undefined;
  }

  byEntityId(entityId: string): SamlRegistration | undefined {
    const r = this.db.prepare('SELECT * FROM saml_apps WHERE entity_id = ?').get(entityId) as Row | undefined;
    return r ? toRecord(r) : undefined;
  }

  /** Create or replace; throws `ERR_SAML_ENTITY_TAKEN` when another app already uses the entity ID. */
  put(input: Omit<SamlRegistration, 'created_at' | 'updated_at'>): SamlRegistration {
    const other = this.byEntityId(input.entity_id);
    if (other && other.client_id !== input.client_id) throw Object.assign(new Error('entity_id taken'), { code: 'ERR_SAML_ENTITY_TAKEN' });
    const now = Math.floor(this.nowMs() / 1000);
    this.db
      .prepare(
        `INSERT INTO saml_apps (client_id, entity_id, acs_urls, name_id_format, certificate, created_at, updated_at)
         VALUES (@client_id, @entity_id, @acs_urls, @name_id_format, @certificate, @now, @now)
         ON CONFLICT(client_id) DO UPDATE SET entity_id = excluded.entity_id, acs_urls = excluded.acs_urls,
           name_id_format = excluded.name_id_format, certificate = excluded.certificate, updated_at = excluded.updated_at`,
      )
      .run({ ...input, acs_urls: JSON.stringify(input.acs_urls), now });
    return this.get(input.client_id) as SamlRegistration;
  }

  remove(clientId: string): boolean {
    return this.db.prepare('DELETE FROM saml_apps WHERE client_id = ?').run(clientId).changes > 0;
  }
}

/**
 * Admin API for SAML 2.0: the IdP's SAML side (entity ID, metadata and SSO URLs, signing certificates
 * with their rotation overlap) and each app's SAML SP registration — an app is OIDC, SAML or both.
 *
 * - `GET /admin/saml`: the IdP's SAML identity and certificates, and every registration.
 * - `GET|PUT|DELETE /admin/apps/{id}/saml`: one app's registration: SP entity ID (the `<Audience>` of
 *   its assertions, SAML Core §2.5.1.4, and what a `saml2` subject token must name), ACS URLs (exact
 *   match, SAML Profiles §4.1.4.1), NameID format (persistent or emailAddress, SAML Core §8.3), and
 *   an optional SP certificate that makes signed AuthnRequests mandatory.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type Router from '@koa/router';
import { redirectUrl } from '@xaa/admin-contracts/fields';
import { surfaceRouter } from '@xaa/node-kit';
import { z } from 'zod';
import { NAMEID_FORMATS, type SamlRegistration } from '../saml/registrations.ts';
import { certBase64 } from '../saml/saml-keys.ts';
import { samlFor } from '../saml/service.ts';
import type { AdminDeps } from './common.ts';
import { AdminProblem, conflict, handle, notFound, parse, recordChange } from './common.ts';

/** An SP certificate: PEM or bare base64 DER; must parse as X.509. */
const certificate = z
  .string()
  .max(16_384)
  .refine((v) => {
    try {
      new X509Certificate(toPem(v));
      return true;
    } catch {
      return false;
    }
  }, 'Must be an X.509 certificate (PEM or base64 DER).');

function toPem(v: string): string {
  if (v.includes('-----BEGIN CERTIFICATE-----')) return v;
  const b64 = v.replace(/\s+/g, '');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
}

export const samlPut = z
  .object({
    /** SAML Core §8.3.6: an entity identifier is a URI of at most 1024 characters. */
    entity_id: z.string().min(1).max(1024).regex(/^\S+$/, 'An entity ID is a URI without spaces.'),
    acs_urls: z.array(redirectUrl).min(1).max(10),
    name_id_format: z.enum(NAMEID_FORMATS).optional(),
    certificate: certificate.nullable().optional(),
  })
  .strict();

function registrationView(r: SamlRegistration) {
  return {
    client_id: r.client_id,
    entity_id: r.entity_id,
    acs_urls: r.acs_urls,
    name_id_format: r.name_id_format,
    certificate: r.certificate,
    authn_requests_signed: r.certificate !== null,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

export function samlRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  const saml = samlFor(idp);
  const app = (id: string) => {
    const a = idp.directory.getApp(id);
    if (a?.kind !== 'app') throw notFound('app', id);
    return a;
  };

  r.get(
    '/saml',
    handle(async (ctx) => {
      const current = await saml.keys.current();
      const now = Math.floor(idp.now() / 1000);
      const certificates = (await saml.keys.published()).map((k) => {
        const x509 = new X509Certificate(k.certPem);
        return {
          id: k.id,
          current: k.id === current.id,
          jwt_kid: k.jwtKid,
          created_at: k.createdAt,
          retired_at: k.retiredAt,
          published_until: k.retiredAt === null ? null : k.retiredAt + saml.keys.overlapSeconds,
          subject: x509.subject,
          not_after: Math.floor(Date.parse(x509.validTo) / 1000),
          fingerprint_sha256: createHash('sha256')
            .update(Buffer.from(certBase64(k.certPem), 'base64'))
            .digest('hex')
            .replace(/(..)(?!$)/g, '$1:'),
          pem: k.certPem,
        };
      });
      ctx.body = {
        entity_id: saml.entityId,
        metadata_url: saml.metadataUrl,
        sso_url: saml.ssoUrl,
        overlap_seconds: saml.keys.overlapSeconds,
        now,
        certificates,
        apps: saml.registrations.list().map(registrationView),
      };
    }),
  );
  r.get(
    '/apps/:id/saml',
    handle((ctx) => {
      const a = app(ctx.params.id as string);
      const reg = saml.registrations.get(a.client_id);
      if (!reg) throw new AdminProblem(404, 'not_found', `App ${a.client_id} has no SAML registration.`);
      ctx.body = registrationView(reg);
    }),
  );
  r.put(
    '/apps/:id/saml',
    handle((ctx) => {
      const a = app(ctx.params.id as string);
      const body = parse(samlPut, ctx.request.body);
      const previous = saml.registrations.get(a.client_id);
      let reg: SamlRegistration;
      try {
        reg = saml.registrations.put({
          client_id: a.client_id,
          entity_id: body.entity_id,
          acs_urls: [...new Set(body.acs_urls)],
          name_id_format: body.name_id_format ?? previous?.name_id_format ?? NAMEID_FORMATS[0],
          certificate: body.certificate === undefined ? (previous?.certificate ?? null) : body.certificate === null ? null : toPem(body.certificate),
        });
      } catch (e) {
        if ((e as { code?: string }).code === 'ERR_SAML_ENTITY_TAKEN') throw conflict(`Another app already uses the SP entity ID ${body.entity_id}.`);
        throw e;
      }
      recordChange(idp, ctx, `${previous ? 'updated' : 'added'} the SAML registration of ${a.client_id} (${reg.entity_id})`, {
        entity: 'app',
        action: 'saml',
        id: a.client_id,
        entity_id: reg.entity_id,
      });
      ctx.status = previous ? 200 : 201;
      ctx.body = registrationView(reg);
    }),
  );
  r.delete(
    '/apps/:id/saml',
    handle((ctx) => {
      const a = app(ctx.params.id as string);
      if (!saml.registrations.remove(a.client_id)) throw new AdminProblem(404, 'not_found', `App ${a.client_id} has no SAML registration.`);
      recordChange(idp, ctx, `removed the SAML registration of ${a.client_id}`, { entity: 'app', action: 'saml-remove', id: a.client_id });
      ctx.status = 204;
    }),
  );
  return r;
}

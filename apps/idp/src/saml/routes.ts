/**
 * SAML 2.0 Web SSO at the IdP (SAML Profiles §4.1, SP-initiated):
 *
 * - `GET {issuer}/saml/metadata`: IdP metadata (entity ID, SSO endpoints for HTTP-Redirect and
 *   HTTP-POST, every published signing certificate).
 * - `GET|POST {issuer}/saml/sso`: AuthnRequest intake (SAML Bindings §3.4 / §3.5). The Issuer must be a
 *   registered SP; the ACS URL, when given, must be one it registered (exact match); an SP that
 *   registered a certificate must sign (samlify verifies, Redirect: over the octet string of
 *   SAML Bindings §3.4.4.1, POST: the enveloped signature), and a signed request needs our
 *   Destination. Then the sign-in goes through the shared OIDC session (./bridge.ts).
 * - `GET {issuer}/saml/resume`: the bridge's redirect URI; answers the SP's ACS by HTTP-POST.
 *
 * A request that names no registered SP cannot be answered to any ACS, so it gets an error page
 * (SAML Profiles §4.1.4.1 leaves the IdP no safe endpoint).
 */
import { inflateRawSync } from 'node:zlib';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { requestTrace } from '@xaa/node-kit/oidc-host';
import { DOMParser } from '@xmldom/xmldom';
import type { Context } from 'koa';
import type { IdpContext } from '../context.ts';
import { escapeHtml, page } from '../interactions/views.ts';
import { PendingRequests, pkceMatches, SAML_BRIDGE_CLIENT_ID } from './bridge.ts';
import { idpEntity, idpMetadata, spEntity } from './entities.ts';
import { createLoginResponse, postForm } from './login-response.ts';
import { SAML_PATHS, samlFor } from './service.ts';

const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
/** Cap on an AuthnRequest, before and after inflating (DEFLATE bombs, ruby-saml CVE-2025-25293). */
const MAX_REQUEST_BYTES = 64 * 1024;

class SamlRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function errorPage(ctx: Context, e: SamlRequestError) {
  ctx.status = e.status;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = page(
    'SAML sign-in failed',
    `<h1>This SAML sign-in request was refused</h1><p>${escapeHtml(e.message)}</p><p><code>${escapeHtml(e.code)}</code></p>`,
  );
}

/** Decode per binding (Redirect: base64 of raw DEFLATE; POST: base64), capped. */
function decodeRequest(encoded: string, deflated: boolean): string {
  if (encoded.length > (MAX_REQUEST_BYTES * 4) / 3 + 4) throw new SamlRequestError('ERR_SAML_REQUEST_TOO_LARGE', 'The SAMLRequest is too large.');
  const raw = Buffer.from(encoded, 'base64');
  try {
    return (deflated ? inflateRawSync(raw, { maxOutputLength: MAX_REQUEST_BYTES }) : raw).toString('utf8');
  } catch {
    throw new SamlRequestError('ERR_SAML_REQUEST_ENCODING', 'The SAMLRequest is not valid DEFLATE + base64 (SAML Bindings §3.4.4.1).');
  }
}

/** The AuthnRequest's root attributes and Issuer, read once to find the SP (samlify then parses and verifies). */
function peek(xml: string): { issuer: string; forceAuthn: boolean; isPassive: boolean } {
  let doc: Document;
  try {
    doc = new DOMParser({ onError: () => {} }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch {
    throw new SamlRequestError('ERR_SAML_REQUEST_XML', 'The SAMLRequest is not well-formed XML.');
  }
  const root = doc?.documentElement;
  if (!root || root.namespaceURI !== PROTOCOL_NS || root.localName !== 'AuthnRequest')
    throw new SamlRequestError('ERR_SAML_NOT_AUTHN_REQUEST', 'The SAMLRequest is not a SAML 2.0 AuthnRequest.');
  const issuers = Array.from(root.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).localName === 'Issuer' && (n as Element).namespaceURI === ASSERTION_NS,
  );
  const issuer = issuers.length === 1 ? (issuers[0]?.textContent ?? '').trim() : '';
  if (!issuer) throw new SamlRequestError('ERR_SAML_ISSUER_MISSING', 'The AuthnRequest has no Issuer (SAML Profiles §4.1.4.1).');
  return { issuer, forceAuthn: root.getAttribute('ForceAuthn') === 'true', isPassive: root.getAttribute('IsPassive') === 'true' };
}

/** SAML Bindings §3.4.4.1: the signed octet string, from the raw (still URL-encoded) query values. */
function octetString(rawQuery: string): string {
  const parts = new Map(rawQuery.split('&').map((p) => [p.slice(0, p.indexOf('=') < 0 ? p.length : p.indexOf('=')), p] as const));
  return ['SAMLRequest', 'RelayState', 'SigAlg']
    .map((k) => parts.get(k))
    .filter((p): p is string => p !== undefined && !p.endsWith('='))
    .join('&');
}

export function samlRoutes(idp: IdpContext): Router {
  const router = new Router();
  const saml = samlFor(idp);
  const pending = new PendingRequests(idp.db, idp.now);
  const form = bodyParser({ enableTypes: ['form'], formLimit: '200kb', encoding: 'utf-8' });

  router.get(SAML_PATHS.metadata, async (ctx) => {
    ctx.type = 'application/samlmetadata+xml';
    ctx.set('Cache-Control', 'public, max-age=60');
    ctx.body = await idpMetadata(saml);
  });

  const intake = async (ctx: Context, binding: 'redirect' | 'post') => {
    const source = (binding === 'redirect' ? ctx.query : ((ctx.request as { body?: unknown }).body ?? {})) as Record<string, unknown>;
    const encoded = source.SAMLRequest;
    const relayState = typeof source.RelayState === 'string' && source.RelayState !== '' ? source.RelayState : undefined;
    try {
      if (typeof encoded !== 'string' || encoded === '') throw new SamlRequestError('ERR_SAML_REQUEST_MISSING', 'SAMLRequest is required (one value).');
      if (relayState && Buffer.byteLength(relayState) > 80)
        throw new SamlRequestError('ERR_SAML_RELAYSTATE', 'RelayState must not exceed 80 bytes (SAML Bindings §3.4.3).');
      const xml = decodeRequest(encoded, binding === 'redirect');
      const head = peek(xml);
      const reg = saml.registrations.byEntityId(head.issuer);
      const app = reg ? idp.directory.getApp(reg.client_id) : undefined;
      if (!reg || !app || app.disabled) throw new SamlRequestError('ERR_SAML_UNKNOWN_SP', `No enabled SAML app is registered with entity ID ${head.issuer}.`);
      const signed = reg.certificate !== null;
      const idpForRequest = idpEntity(saml, await saml.keys.current(), undefined, { wantAuthnRequestsSigned: signed });
      let parsed: { extract: { request?: Record<string, string>; issuer?: string } };
      try {
        parsed = (await idpForRequest.parseLoginRequest(
          spEntity(reg),
          binding,
          binding === 'redirect' ? { query: ctx.query, octetString: octetString(ctx.querystring) } : { body: source },
        )) as typeof parsed;
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        throw new SamlRequestError(
          signed ? 'ERR_SAML_REQUEST_SIGNATURE' : 'ERR_SAML_REQUEST_INVALID',
          signed ? `The AuthnRequest must be signed with the SP's registered certificate (${why}).` : `The AuthnRequest is invalid (${why}).`,
        );
      }
      const request = parsed.extract.request ?? {};
      if (parsed.extract.issuer !== head.issuer) throw new SamlRequestError('ERR_SAML_ISSUER_MISMATCH', 'The AuthnRequest Issuer is ambiguous.');
      if (!request.id) throw new SamlRequestError('ERR_SAML_REQUEST_ID', 'The AuthnRequest has no ID.');
      // SAML Bindings §3.4.5.2 / §3.5.5.2: a signed request names us as its Destination.
      if (signed && request.destination !== saml.ssoUrl)
        throw new SamlRequestError('ERR_SAML_DESTINATION', `A signed AuthnRequest must have Destination ${saml.ssoUrl}.`);
      // SAML Profiles §4.1.4.1: the ACS must be one the SP registered, exact match.
      const acs = request.assertionConsumerServiceUrl ?? reg.acs_urls[0];
      if (!acs || !reg.acs_urls.includes(acs)) throw new SamlRequestError('ERR_SAML_ACS', 'The AssertionConsumerServiceURL is not one registered for this SP.');

      const traceId = requestTrace(ctx.req).traceId;
      const parked = pending.park({
        clientId: reg.client_id,
        entityId: reg.entity_id,
        acs,
        requestId: request.id,
        traceId,
        ...(relayState ? { relayState } : {}),
      });
      idp.flowLog.emit({
        traceId,
        party: 'idp',
        step: 'sso.authorize',
        outcome: 'ok',
        summary: `${reg.client_id} sends a SAML AuthnRequest (${binding === 'redirect' ? 'HTTP-Redirect' : 'HTTP-POST'}${signed ? ', signed' : ''})`,
        subject: { client: reg.client_id },
        http: { method: ctx.method, url: saml.ssoUrl, request: { protocol: 'saml2', binding, issuer: reg.entity_id, id: request.id, acs } },
        data: { protocol: 'saml2', request_id: request.id, signed },
      });
      const auth = new URL(`${idp.issuer}/authorize`);
      auth.search = new URLSearchParams({
        client_id: SAML_BRIDGE_CLIENT_ID,
        response_type: 'code',
        redirect_uri: `${idp.issuer}${SAML_PATHS.resume}`,
        scope: 'openid',
        state: parked.state,
        code_challenge: parked.challenge,
        code_challenge_method: 'S256',
        // SAML Core §3.4.1: ForceAuthn → a fresh login; IsPassive → no interaction at all.
        ...(head.forceAuthn ? { prompt: 'login' } : head.isPassive ? { prompt: 'none' } : {}),
      }).toString();
      ctx.status = 303;
      ctx.set('Cache-Control', 'no-store');
      ctx.redirect(auth.toString());
    } catch (e) {
      if (e instanceof SamlRequestError) return errorPage(ctx, e);
      throw e;
    }
  };

  router.get(SAML_PATHS.sso, (ctx) => intake(ctx, 'redirect'));
  router.post(
    SAML_PATHS.sso,
    async (ctx, next) => {
      if (!ctx.is('application/x-www-form-urlencoded'))
        return errorPage(ctx, new SamlRequestError('ERR_SAML_POST_TYPE', 'HTTP-POST binding needs a form body.', 415));
      await form(ctx, next);
    },
    (ctx) => intake(ctx, 'post'),
  );

  router.get(SAML_PATHS.resume, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const req = state ? pending.take(state) : undefined;
    if (!req)
      return errorPage(
        ctx,
        new SamlRequestError('ERR_SAML_RESUME_STATE', 'This SAML sign-in has expired or was already completed. Start again from the application.'),
      );
    if (typeof ctx.query.error === 'string')
      return errorPage(ctx, new SamlRequestError('ERR_SAML_SIGN_IN', `The sign-in did not complete (${ctx.query.error}).`, 403));
    const code = typeof ctx.query.code === 'string' ? await idp.provider().AuthorizationCode.find(ctx.query.code) : undefined;
    const redirectUri = `${idp.issuer}${SAML_PATHS.resume}`;
    if (
      !code ||
      code.clientId !== SAML_BRIDGE_CLIENT_ID ||
      code.redirectUri !== redirectUri ||
      (code as unknown as { consumed?: unknown }).consumed ||
      code.isExpired ||
      !pkceMatches(req.verifier, code.codeChallenge)
    )
      return errorPage(ctx, new SamlRequestError('ERR_SAML_RESUME_CODE', 'The sign-in result could not be verified. Start again from the application.'));
    await code.consume();
    const user = code.accountId ? idp.directory.getUser(code.accountId) : undefined;
    const reg = saml.registrations.get(req.clientId);
    if (!user || user.disabled) return errorPage(ctx, new SamlRequestError('ERR_SAML_USER', 'This account cannot sign in.', 403));
    if (!reg || reg.entity_id !== req.entityId || !reg.acs_urls.includes(req.acs))
      return errorPage(ctx, new SamlRequestError('ERR_SAML_UNKNOWN_SP', 'The SAML app registration changed during the sign-in.'));
    const nowSeconds = Math.floor(idp.now() / 1000);
    const { samlResponse, assertionId } = await createLoginResponse(saml, await saml.keys.current(), {
      reg,
      acs: req.acs,
      requestId: req.requestId,
      user,
      authTime: typeof code.authTime === 'number' ? code.authTime : nowSeconds,
      nowSeconds,
      ...(req.relayState ? { relayState: req.relayState } : {}),
    });
    idp.flowLog.emit({
      traceId: req.traceId,
      party: 'idp',
      step: 'sso.token',
      outcome: 'ok',
      summary: `${reg.client_id} receives a signed SAML Response for ${user.username} (NameID ${reg.name_id_format.split(':').pop()})`,
      subject: { client: reg.client_id, user: user.username },
      data: { protocol: 'saml2', assertion_id: assertionId, in_response_to: req.requestId, audience: reg.entity_id, recipient: req.acs },
    });
    ctx.type = 'html';
    ctx.body = postForm(req.acs, samlResponse, req.relayState, escapeHtml);
  });

  return router;
}

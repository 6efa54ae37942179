/**
 * `GET /admin/openapi.json`: the admin API described as OpenAPI 3.1, request bodies generated from the
 * same zod schemas the handlers validate with (so the document cannot drift from the checks).
 */

import {
  appCreate,
  appPatch,
  appRecord,
  connectionCreate,
  connectionPatch,
  connectionRecord,
  effectiveAccess,
  faultsPut,
  groupCreate,
  groupPatch,
  groupRecord,
  keysView,
  mintSchema,
  registrationPut,
  revokeBody,
  rotateBody,
  serverCreate,
  serverPatch,
  serverRecord,
  simulateBody,
  simulateResult,
  userCreate,
  userPatch,
  userRecord,
} from '@xaa/admin-contracts/idp';
import { z } from 'zod';
import type { IdpContext } from '../context.ts';
import { dpopSettingsPatch } from './dpop.ts';
import { samlPut } from './saml.ts';

type Op = {
  summary: string;
  description?: string;
  body?: z.ZodType;
  response?: z.ZodType;
  params?: string[];
  query?: Array<[string, string]>;
  ok?: number;
  produces?: string[];
};

function schemaOf(s: z.ZodType, io: 'input' | 'output' = 'input'): unknown {
  try {
    return z.toJSONSchema(s, { io, unrepresentable: 'any' });
  } catch {
    return { type: 'object' };
  }
}

const problem = {
  description: 'Error (`{ error, error_description, fields? }`)',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

function operation(op: Op) {
  const parameters = [
    ...(op.params ?? []).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
    ...(op.query ?? []).map(([name, description]) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } })),
  ];
  return {
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(op.body) } } } } : {}),
    responses: {
      [String(op.ok ?? 200)]: {
        description: 'Success',
        ...(op.ok === 204
          ? {}
          : {
              content: Object.fromEntries(
                (op.produces ?? ['application/json']).map((t) => [t, op.response ? { schema: schemaOf(op.response, 'output') } : {}]),
              ),
            }),
      },
      '400': problem,
      '401': { description: 'No or invalid admin access token (`WWW-Authenticate: Bearer error="invalid_token"`)' },
      '403': { description: 'The token lacks the `xaa:admin` scope' },
      '404': problem,
      '409': problem,
      '415': problem,
    },
    security: [{ adminToken: ['xaa:admin'] }],
  };
}

export function openApiDocument(idp: Pick<IdpContext, 'issuer' | 'adminAudience'>) {
  const paths: Record<string, Record<string, Op>> = {
    '/admin/users': {
      get: { summary: 'List users', response: z.object({ users: z.array(userRecord) }) },
      post: { summary: 'Create a user', body: userCreate, ok: 201, response: userRecord },
    },
    '/admin/users/{id}': {
      get: { summary: 'Get a user (by id or username), with their sessions and outstanding (unexpired) ID-JAGs', params: ['id'] },
      patch: {
        summary: 'Update a user; `disabled: true` also revokes every session and token (central revocation)',
        params: ['id'],
        body: userPatch,
        response: userRecord,
      },
      delete: { summary: 'Delete a user (revokes first)', params: ['id'], ok: 204 },
    },
    '/admin/users/{id}/sessions': { get: { summary: "List a user's SSO sessions", params: ['id'] } },
    '/admin/users/{id}/revoke-sessions': {
      post: {
        summary:
          'Revoke every session, grant and token of a user; later token exchanges fail at once. `outstanding_id_jags` tells until when already-issued ID-JAGs stay redeemable',
        params: ['id'],
        body: revokeBody,
      },
    },
    '/admin/users/{id}/effective-access': {
      get: {
        summary: 'Which servers and scopes the user can reach, through which app, and why (plus the denied pairs with their rule)',
        params: ['id'],
        response: effectiveAccess,
      },
    },
    '/admin/sessions': { get: { summary: 'List SSO sessions', query: [['user', 'user id or username']] } },
    '/admin/groups': {
      get: { summary: 'List groups with members', response: z.object({ groups: z.array(groupRecord) }) },
      post: { summary: 'Create a group', body: groupCreate, ok: 201, response: groupRecord },
    },
    '/admin/groups/{name}': {
      patch: { summary: 'Rename a group', params: ['name'], body: groupPatch },
      delete: { summary: 'Delete a group', params: ['name'], ok: 204 },
    },
    '/admin/apps': {
      get: {
        summary: 'List client apps (incl. console and ops clients) with their client ids at each AS (`registrations`)',
        response: z.object({ apps: z.array(appRecord) }),
      },
      post: {
        summary: 'Register a client app (confidential, private_key_jwt with jwks, or public with `none`)',
        body: appCreate,
        ok: 201,
        response: appRecord,
      },
    },
    '/admin/apps/{client_id}': {
      get: { summary: 'Get an app', params: ['client_id'], response: appRecord },
      patch: { summary: 'Update an app', params: ['client_id'], body: appPatch, response: appRecord },
      delete: { summary: 'Delete an app', params: ['client_id'], ok: 204 },
    },
    '/admin/apps/{client_id}/registrations/{server}': {
      put: { summary: "Set the app's client_id at a server's AS (the ID-JAG client_id, draft-04 §5)", params: ['client_id', 'server'], body: registrationPut },
    },
    '/admin/servers': {
      get: { summary: 'List MCP servers: the registered (AS issuer, resource) pairs and scopes', response: z.object({ servers: z.array(serverRecord) }) },
      post: { summary: 'Register an MCP server', body: serverCreate, ok: 201, response: serverRecord },
    },
    '/admin/servers/{name}': {
      get: { summary: 'Get a server', params: ['name'], response: serverRecord },
      patch: { summary: 'Update a server', params: ['name'], body: serverPatch, response: serverRecord },
      delete: { summary: 'Delete a server (and its connections)', params: ['name'], ok: 204 },
    },
    '/admin/connections': {
      get: {
        summary: 'List connections',
        query: [
          ['client_id', 'filter by app'],
          ['server', 'filter by server'],
        ],
      },
      post: { summary: 'Create a connection (app → server, scopes, audience, ttl)', body: connectionCreate, ok: 201, response: connectionRecord },
    },
    '/admin/connections/{id}': {
      get: { summary: 'Get a connection', params: ['id'], response: connectionRecord },
      patch: { summary: 'Update a connection (applies to the next token exchange)', params: ['id'], body: connectionPatch, response: connectionRecord },
      delete: { summary: 'Delete a connection', params: ['id'], ok: 204 },
    },
    '/admin/keys': { get: { summary: 'List signing keys (current first; retired keys stay published for the overlap window)', response: keysView } },
    '/admin/keys/rotate': { post: { summary: 'Rotate the signing key, optionally switching algorithm (ES256 | RS256)', body: rotateBody, response: keysView } },
    '/admin/saml': {
      get: {
        summary:
          "The IdP's SAML 2.0 side: entity ID, metadata and SSO URLs, signing certificates (the SAML key rotates with the signing key; a retired certificate stays published for the overlap window) and every app's SAML registration",
      },
    },
    '/admin/apps/{id}/saml': {
      get: { summary: "An app's SAML SP registration (entity ID, ACS URLs, NameID format, optional SP certificate)", params: ['id'] },
      put: {
        summary: "Add or replace an app's SAML SP registration",
        description:
          'entity_id is the Audience of its assertions and what a saml2 subject token must name (SAML Core §2.5.1.4); acs_urls are matched exactly (SAML Profiles §4.1.4.1); a certificate makes signed AuthnRequests mandatory. 409 when another app uses the entity ID.',
        params: ['id'],
        body: samlPut,
      },
      delete: { summary: "Remove an app's SAML registration (the app stays, OIDC only)", params: ['id'], ok: 204 },
    },
    '/admin/audit': {
      get: {
        summary: 'Search the audit trail (newest first); `format=csv|json` downloads it',
        query: [
          ['step', 'flow step, e.g. exchange.decision'],
          ['outcome', 'ok | denied | error'],
          ['user', 'username'],
          ['client', 'client id'],
          ['server', 'server name'],
          ['traceId', 'W3C trace id'],
          ['rule', 'decision rule'],
          ['jti', 'ID-JAG jti'],
          ['from', 'ISO time'],
          ['to', 'ISO time'],
          ['q', 'text in the summary'],
          ['before', 'event id (paging)'],
          ['limit', '1..5000 (default 200)'],
          ['format', 'csv | json'],
        ],
        produces: ['application/json', 'text/csv'],
      },
    },
    '/admin/simulate': {
      post: {
        summary: 'Policy simulator: the decision, its trace and the claims an ID-JAG would carry; mints nothing',
        body: simulateBody,
        response: simulateResult,
      },
    },
    '/admin/events': {
      get: {
        summary: 'Recent flow events',
        query: [
          ['after', 'event id'],
          ['limit', 'count'],
          ['traceId', 'W3C trace id'],
        ],
      },
    },
    '/admin/events/stream': { get: { summary: 'Live flow events (SSE, `event: flow`, honours Last-Event-ID)', produces: ['text/event-stream'] } },
    '/admin/scorecard/mint': {
      post: {
        summary: 'AS scorecard: sign a test ID-JAG for a user with the current key, optionally mutated (typ, claims set/removed, times shifted; never iss)',
        body: mintSchema,
        ok: 201,
      },
    },
    '/admin/settings/dpop': {
      get: { summary: 'DPoP settings of the token endpoint (RFC 9449)' },
      patch: { summary: 'Require DPoP nonces in token-exchange proofs (use_dpop_nonce, RFC 9449 §8)', body: dpopSettingsPatch },
    },
    '/admin/faults': {
      get: { summary: 'Fault switches: the active rules and the catalogue of kinds' },
      put: { summary: 'Replace the fault switches (global, per client, per server); { "faults": [] } turns them off', body: faultsPut },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Acme Workforce IdP — admin API',
      version: '1',
      description: `Every route needs \`Authorization: Bearer <JWT>\`: an RFC 9068 access token issued by ${idp.issuer} for the resource \`${idp.adminAudience}\` with scope \`xaa:admin\` (IdP admins via the console, or the ops client via client_credentials). Bodies are JSON; unknown fields are rejected with 400 and a \`fields\` map.`,
    },
    servers: [{ url: idp.issuer }],
    components: {
      securitySchemes: {
        adminToken: {
          type: 'oauth2',
          flows: { clientCredentials: { tokenUrl: `${idp.issuer}/token`, scopes: { 'xaa:admin': 'Administer the playground' } } },
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['error', 'error_description'],
          properties: {
            error: { type: 'string' },
            error_description: { type: 'string' },
            fields: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      },
    },
    paths: Object.fromEntries(Object.entries(paths).map(([p, ops]) => [p, Object.fromEntries(Object.entries(ops).map(([m, op]) => [m, operation(op)]))])),
  };
}

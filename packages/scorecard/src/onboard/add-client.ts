/**
 * `xaa add-client`: register an MCP client at the IdP and hand back every value it needs — the IdP's
 * endpoints, its client id and secret (or a public client), the SSO and token-exchange parameters
 * (draft-04 §4.3) and the servers it may ask ID-JAGs for.
 */
import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import type { IdpAdmin } from '../idp.ts';
import { OnboardError, problem, type ServerRecord, SLUG } from './register.ts';

export interface AddClientOptions {
  idp: IdpAdmin;
  title: string;
  clientId?: string;
  redirectUris: string[];
  /** `none` registers a public client (PKCE only); default client_secret_basic. */
  authMethod?: 'client_secret_basic' | 'client_secret_post' | 'none';
}

export interface AddClientResult {
  client_id: string;
  client_secret: string | null;
  title: string;
  token_endpoint_auth_method: string;
  redirect_uris: string[];
  idp: { issuer: string; discovery: string; authorization_endpoint: string; token_endpoint: string; jwks_uri: string };
  sso: { response_type: 'code'; code_challenge_method: 'S256'; scope: string };
  token_exchange: { grant_type: string; requested_token_type: string; subject_token_type: string; audience: string; resource: string };
  servers: Array<{ name: string; title: string; issuer: string; resource: string }>;
}

export async function addClient(o: AddClientOptions): Promise<AddClientResult> {
  const idp = o.idp;
  if (o.clientId !== undefined && !SLUG.test(o.clientId))
    throw new OnboardError(
      `The client id ${JSON.stringify(o.clientId)} is not usable at the IdP.`,
      'ERR_BAD_NAME',
      'Use lowercase letters, digits, dot, dash or underscore (at most 64).',
    );
  const r = await idp.adminRequest('POST', '/apps', {
    ...(o.clientId ? { client_id: o.clientId } : {}),
    title: o.title,
    redirect_uris: o.redirectUris,
    token_endpoint_auth_method: o.authMethod ?? 'client_secret_basic',
  });
  if (r.status === 409)
    throw new OnboardError(
      `The IdP already has an app ${o.clientId}.`,
      'ERR_CLIENT_TAKEN',
      'Choose another --client-id, or manage the existing one in the console (Directory → Apps).',
    );
  if (r.status !== 201) {
    const fields = (r.json as { fields?: Record<string, string> } | undefined)?.fields;
    throw new OnboardError(
      `The IdP refused the client: ${problem(r.status, r.json)}.`,
      'ERR_IDP_REFUSED',
      fields
        ? Object.entries(fields)
            .map(([k, v]) => `${k}: ${v}`)
            .join('; ')
        : 'Fix the value the IdP names.',
    );
  }
  const created = r.json as { client_id: string; client_secret: string | null; title: string; token_endpoint_auth_method: string; redirect_uris: string[] };
  const md = await idp.metadata();
  const servers = (((await idp.adminRequest('GET', '/servers')).json as { servers?: Array<ServerRecord & { xaa?: boolean }> } | undefined)?.servers ?? [])
    .filter((s) => s.xaa !== false)
    .map((s) => ({ name: s.name, title: s.title, issuer: s.issuer, resource: s.resource }));
  return {
    client_id: created.client_id,
    client_secret: created.client_secret,
    title: created.title,
    token_endpoint_auth_method: created.token_endpoint_auth_method,
    redirect_uris: created.redirect_uris,
    idp: {
      issuer: idp.issuer,
      discovery: `${idp.issuer}/.well-known/openid-configuration`,
      authorization_endpoint: String(md.authorization_endpoint),
      token_endpoint: String(md.token_endpoint),
      jwks_uri: String(md.jwks_uri),
    },
    sso: { response_type: 'code', code_challenge_method: 'S256', scope: 'openid offline_access email' },
    token_exchange: {
      grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
      requested_token_type: TOKEN_TYPE_ID_JAG,
      subject_token_type: TOKEN_TYPE_ID_TOKEN,
      audience: '<the server’s AS issuer>',
      resource: '<the server’s resource>',
    },
    servers,
  };
}

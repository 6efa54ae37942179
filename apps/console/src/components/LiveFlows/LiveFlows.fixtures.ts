/**
 * Recorded flows for tests, Playwright and presenters: realistic traces across the four parties
 * (SSO, token exchange with the policy decision, jwt-bearer with one event per check, MCP calls).
 * Deterministic: the same arguments give the same events.
 */
import type { FlowEvent, TokenView } from '@xaa/protocol';

const IDP = 'http://localhost:4000';
const USERS = [
  { user: 'alice', groups: ['engineering'] },
  { user: 'bob', groups: ['contractors'] },
  { user: 'dave', groups: ['sales'] },
];
const APPS = ['acme-agent', 'acme-chat'];
const SERVERS = [
  { name: 'tasks', scopes: ['tasks.read', 'tasks.write'], tool: 'list_tasks' },
  { name: 'docs', scopes: ['docs.read'], tool: 'search_docs' },
];

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
function token(role: string, header: Record<string, unknown>, claims: Record<string, unknown>, hash: string): TokenView {
  return { role, header, claims, hash, compact: `${b64(header)}.${b64(claims)}.c2lnbmF0dXJl` };
}

export interface TraceOptions {
  index: number;
  start: number;
  /** 'ok' = full flow; 'denied' = policy denies the exchange; 'bad_aud' = the AS refuses the ID-JAG. */
  kind?: 'ok' | 'denied' | 'bad_aud';
}

/** One user action: SSO, exchange, bearer checks, tool call. */
export function sampleTrace({ index, start, kind = 'ok' }: TraceOptions): FlowEvent[] {
  const u = USERS[index % USERS.length] as (typeof USERS)[number];
  const app = APPS[index % APPS.length] as string;
  const s = SERVERS[index % SERVERS.length] as (typeof SERVERS)[number];
  const traceId = `${hex(index + 1, 8)}${'a'.repeat(24)}`;
  const as = `http://localhost:${s.name === 'tasks' ? 4101 : 4102}`;
  const iat = Math.floor(start / 1000);
  let t = start;
  let n = 0;
  const subject = { user: u.user, client: app, server: s.name };
  const ev = (
    party: FlowEvent['party'],
    step: FlowEvent['step'],
    outcome: FlowEvent['outcome'],
    summary: string,
    extra: Partial<FlowEvent> = {},
  ): FlowEvent => {
    t += 7;
    return {
      id: `${hex(start, 11)}-${hex(index, 6)}-${hex(n++, 3)}`,
      time: new Date(t).toISOString(),
      traceId,
      party,
      step,
      outcome,
      summary,
      subject,
      ...extra,
    };
  };
  const idToken = token(
    'id_token',
    { alg: 'ES256', kid: 'idp-1', typ: 'JWT' },
    { iss: IDP, sub: `u-${u.user}`, aud: app, iat, exp: iat + 3600, email: `${u.user}@acme.test`, nonce: 'n' },
    `idt${index}`,
  );
  const jag = token(
    'id_jag',
    { alg: 'ES256', kid: 'idp-1', typ: 'oauth-id-jag+jwt' },
    {
      iss: IDP,
      sub: `u-${u.user}`,
      aud: kind === 'bad_aud' ? `${as}/` : as,
      client_id: `${app}-at-${s.name}`,
      resource: `${as}/mcp`,
      scope: s.scopes.join(' '),
      jti: `jti-${index}`,
      iat,
      exp: iat + 300,
      email: `${u.user}@acme.test`,
    },
    `jag${index}`,
  );
  const at = token(
    'access_token',
    { alg: 'ES256', kid: `${s.name}-1`, typ: 'at+jwt' },
    { iss: as, sub: `local-${u.user}`, aud: `${as}/mcp`, client_id: `${app}-at-${s.name}`, scope: s.scopes.join(' '), iat, exp: iat + 300, jti: `at-${index}` },
    `at${index}`,
  );

  const events: FlowEvent[] = [
    ev('client', 'sso.authorize', 'ok', `${app} sends ${u.user} to the IdP`, {
      http: { method: 'GET', url: `${IDP}/auth?client_id=${app}&response_type=code`, status: 303 },
    }),
    ev('idp', 'sso.login', 'ok', `${u.user} signed in`),
    ev('idp', 'sso.token', 'ok', `ID token issued to ${app}`, {
      tokens: [idToken],
      http: { method: 'POST', url: `${IDP}/token`, status: 200, request: { grant_type: 'authorization_code', code: 'abc…[redacted]' } },
    }),
    ev('client', 'exchange.request', 'ok', `Token exchange for ${s.name}`, {
      http: {
        method: 'POST',
        url: `${IDP}/token`,
        request: { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', audience: as, resource: `${as}/mcp`, scope: s.scopes.join(' ') },
      },
    }),
  ];
  if (kind === 'denied') {
    events.push(
      ev('idp', 'exchange.decision', 'denied', `Policy denies ${app} → ${s.name} for ${u.user}`, {
        decision: { effect: 'deny', rule: `connection:${app}:${s.name}:audience`, reasons: [`${u.user} is not in an allowed group`], grantedScopes: [] },
        data: {
          trace: [
            { check: 'target.audience', outcome: 'pass', detail: `${as} is the authorization server of ${s.name}` },
            { check: 'connection.exists', outcome: 'pass', detail: `${app} → ${s.name}` },
            { check: 'connection.audience', outcome: 'fail', detail: `groups [${u.groups.join(', ')}] do not meet the connection's groups` },
          ],
        },
        error: { code: 'access_denied', description: `The connection ${app} → ${s.name} does not include this user.`, specRef: 'docs/decisions.md §4' },
        http: { method: 'POST', url: `${IDP}/token`, status: 400, response: { error: 'access_denied' } },
      }),
    );
    return events;
  }
  events.push(
    ev('idp', 'exchange.decision', 'ok', `Policy allows ${app} → ${s.name}`, {
      decision: { effect: 'allow', rule: `connection:${app}:${s.name}`, reasons: ['connection enabled', `${u.user} admitted`], grantedScopes: s.scopes },
    }),
    ev('idp', 'exchange.issued', 'ok', `ID-JAG issued for ${s.name}`, { tokens: [jag], http: { method: 'POST', url: `${IDP}/token`, status: 200 } }),
    ev(`as:${s.name}`, 'bearer.request', 'ok', `jwt-bearer grant from ${app}-at-${s.name}`, { tokens: [jag] }),
    ev(`as:${s.name}`, 'bearer.check', 'ok', 'typ is oauth-id-jag+jwt', {
      check: { id: 'typ', title: 'JOSE header typ is oauth-id-jag+jwt', specRef: 'draft-04 §4.4.1' },
    }),
    ev(`as:${s.name}`, 'bearer.check', 'ok', 'Signature verifies', {
      check: { id: 'signature', title: "Signature verifies with the issuer's JWKS", specRef: 'RFC 7523 §3 (9)' },
    }),
  );
  if (kind === 'bad_aud') {
    events.push(
      ev(`as:${s.name}`, 'bearer.check', 'error', 'aud is not this AS', {
        check: { id: 'aud', title: "Audience is this AS's issuer, single-valued", specRef: 'draft-04 §4.4.1', detail: `aud "${as}/" is not ${as}` },
        error: {
          code: 'invalid_grant',
          description: `The aud claim "${as}/" is not this authorization server (${as}).`,
          specRef: 'draft-04 §4.4.1',
          internal: 'ERR_ID_JAG_AUD_MISMATCH',
        },
      }),
    );
    return events;
  }
  events.push(
    ev(`as:${s.name}`, 'bearer.check', 'ok', 'jti not seen before', { check: { id: 'jti', title: 'jti has not been used before', specRef: 'EMA §7.4.2' } }),
    ev(`as:${s.name}`, 'bearer.issued', 'ok', `Access token for ${s.name}`, { tokens: [at] }),
    ev('client', 'mcp.request', 'ok', `tools/call ${s.tool} → 200`),
    ev(`mcp:${s.name}`, 'mcp.response', 'ok', `${u.user} called ${s.tool}: 3 items`, { data: { tool: s.tool } }),
  );
  return events;
}

/** About `count` events: whole traces, every 7th denied and every 11th refused at the AS. */
export function manyEvents(count: number, start = Date.UTC(2026, 0, 15, 9, 0, 0)): FlowEvent[] {
  const out: FlowEvent[] = [];
  for (let i = 0; out.length < count; i++) {
    const kind = i % 7 === 3 ? 'denied' : i % 11 === 5 ? 'bad_aud' : 'ok';
    out.push(...sampleTrace({ index: i, start: start + i * 1000, kind }));
  }
  return out.slice(0, count);
}

/**
 * The agent's one HTTP client: every request it makes (its own legs, openid-client, and the MCP SDK's
 * discovery, token and transport requests) goes through `instrumentedFetch`, which
 *
 *  - sends the action's W3C `traceparent` (a fresh span per request, docs/decisions.md §5),
 *  - bounds the request in time,
 *  - and, after the response, emits the client-side flow event of the step the request belongs to
 *    (`exchange.request`, `bearer.request`, `sso.token`, `classic.token`, `mcp.request`) with a
 *    redacted HTTP view and token views (header + claims + hash; never a token in a persisted record).
 *
 * Requests that belong to no flow step (metadata discovery, the headless browser's pages) are sent
 * with a traceparent but emit nothing here; their callers report them.
 */
import {
  decodeUnverified,
  type FlowEventInput,
  formatTraceparent,
  GRANT_TYPE_AUTHORIZATION_CODE,
  GRANT_TYPE_JWT_BEARER,
  GRANT_TYPE_REFRESH_TOKEN,
  GRANT_TYPE_TOKEN_EXCHANGE,
  redactRecord,
  TOKEN_TYPE_ID_TOKEN,
  TOKEN_TYPE_REFRESH_TOKEN,
  type TokenView,
  tokenView,
} from '@xaa/protocol';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { type ActionContext, currentAction } from './action.ts';

export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export interface InstrumentOptions {
  /** Upper bound per request (ms). Long-lived MCP GET streams are exempt. */
  timeoutMs: number;
  /** Keep only signature-stripped tokens in events (docs/decisions.md §4 redact mode). */
  redact?: boolean;
}

/** OAuth errors that mean "your organisation / the server said no", not "something broke". */
export const DENIAL_CODES = new Set(['access_denied', 'invalid_scope', 'unauthorized_client', 'consent_required', 'login_required']);

const KEPT_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'traceparent',
  'mcp-session-id',
  'mcp-protocol-version',
  'mcp-method',
  'mcp-name',
  'dpop',
];
const KEPT_RESPONSE_HEADERS = ['content-type', 'www-authenticate', 'mcp-session-id', 'location', 'cache-control'];

function pick(headers: Headers, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = headers.get(n);
    if (v !== null) out[n] = v;
  }
  return out;
}

function bodyText(body: RequestInit['body']): string | undefined {
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return undefined;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Step = 'exchange.request' | 'bearer.request' | 'sso.token' | 'classic.token' | 'mcp.request';

function classify(method: string, url: URL, form: URLSearchParams | undefined, json: unknown, ctx: ActionContext): Step | undefined {
  if (method !== 'POST') return undefined;
  const grant = form?.get('grant_type');
  if (grant === GRANT_TYPE_TOKEN_EXCHANGE) return 'exchange.request';
  if (grant === GRANT_TYPE_JWT_BEARER) return 'bearer.request';
  if (grant === GRANT_TYPE_AUTHORIZATION_CODE || grant === GRANT_TYPE_REFRESH_TOKEN) {
    return url.origin === new URL(ctx.idpIssuer).origin ? 'sso.token' : 'classic.token';
  }
  const rpc = json as { jsonrpc?: unknown; method?: unknown; id?: unknown } | undefined;
  if (rpc && rpc.jsonrpc === '2.0' && typeof rpc.method === 'string' && rpc.id !== undefined) return 'mcp.request';
  return undefined;
}

async function view(role: string, compact: unknown, redact: boolean): Promise<TokenView | undefined> {
  return typeof compact === 'string' && compact.split('.').length === 3 ? tokenView(role, compact, { redact }) : undefined;
}

function outcomeOf(step: Step, status: number, error: string | undefined): FlowEventInput['outcome'] {
  if (status >= 200 && status < 300) return 'ok';
  if (step === 'mcp.request') return status === 401 || status === 403 ? 'denied' : 'error';
  return error && DENIAL_CODES.has(error) ? 'denied' : 'error';
}

function summaryOf(step: Step, url: URL, form: URLSearchParams | undefined, json: unknown, status: number, res: Record<string, unknown> | undefined): string {
  const err =
    typeof res?.error === 'string' ? `${res.error}${typeof res.error_description === 'string' ? `: ${res.error_description}` : ''}` : `HTTP ${status}`;
  const ok = status >= 200 && status < 300;
  switch (step) {
    case 'exchange.request':
      // draft-04 §4.5: a SAML Assertion traded for an IdP refresh token has no audience.
      if (form?.get('requested_token_type') === TOKEN_TYPE_REFRESH_TOKEN)
        return ok
          ? `IdP refresh token for the SAML assertion (${form.get('subject_token_type')?.split(':').pop()} → refresh_token${typeof res?.scope === 'string' ? `, ${res.scope}` : ''})`
          : `SAML assertion → refresh token refused — ${err}`;
      return ok
        ? `ID-JAG for ${form?.get('audience')}${typeof res?.scope === 'string' ? ` (${res.scope})` : ''}${form?.get('subject_token_type') === TOKEN_TYPE_REFRESH_TOKEN ? ' from the IdP refresh token' : ''}`
        : `token exchange for ${form?.get('audience')} refused — ${err}`;
    case 'bearer.request':
      return ok ? `access token from ${url.origin}${typeof res?.scope === 'string' ? ` (${res.scope})` : ''}` : `jwt-bearer at ${url.origin} refused — ${err}`;
    case 'sso.token':
      return ok ? `ID token from the IdP (${form?.get('grant_type')})` : `IdP ${form?.get('grant_type')} grant failed — ${err}`;
    case 'classic.token':
      return ok ? `access token from ${url.origin} (${form?.get('grant_type')})` : `${form?.get('grant_type')} grant at ${url.origin} failed — ${err}`;
    case 'mcp.request': {
      const rpc = json as { method: string; params?: { name?: unknown } };
      const name = typeof rpc.params?.name === 'string' ? ` ${rpc.params.name}` : '';
      return `${rpc.method}${name} → ${status}`;
    }
  }
}

async function tokensOf(step: Step, form: URLSearchParams | undefined, reqHeaders: Headers, res: Record<string, unknown> | undefined, redact: boolean) {
  const views: Array<TokenView | undefined> = [];
  switch (step) {
    case 'exchange.request':
      if (form?.get('subject_token_type') === TOKEN_TYPE_ID_TOKEN) views.push(await view('id_token', form.get('subject_token'), redact));
      if (form?.get('requested_token_type') !== TOKEN_TYPE_REFRESH_TOKEN) views.push(await view('id_jag', res?.access_token, redact));
      break;
    case 'bearer.request':
      views.push(await view('id_jag', form?.get('assertion'), redact), await view('access_token', res?.access_token, redact));
      break;
    case 'sso.token':
      views.push(await view('id_token', res?.id_token, redact));
      break;
    case 'classic.token':
      views.push(await view('access_token', res?.access_token, redact));
      break;
    case 'mcp.request': {
      const m = /^(?:Bearer|DPoP) (.+)$/i.exec(reqHeaders.get('authorization') ?? '');
      views.push(await view('access_token', m?.[1], redact));
      break;
    }
  }
  // RFC 9449: the request's DPoP proof (its header names the key: `jwk`, whose thumbprint is the cnf.jkt).
  views.push(await view('dpop_proof', reqHeaders.get('dpop'), redact));
  return views.filter((v): v is TokenView => v !== undefined);
}

/** RFC 9449 §6.1: the thumbprint of the key a request's DPoP proof names, for the live view's lineage. */
async function proofKey(proof: string | null): Promise<{ dpop?: { jkt: string } }> {
  const jwk = proof ? decodeUnverified(proof)?.header.jwk : undefined;
  if (!jwk || typeof jwk !== 'object') return {};
  try {
    return { dpop: { jkt: await calculateJwkThumbprint(jwk as JWK) } };
  } catch {
    return {};
  }
}

/** Wrap `base` (default: global fetch) with trace propagation, a time bound and flow events. */
export function instrumentedFetch(options: InstrumentOptions, base: FetchLike = fetch): FetchLike {
  return async function agentFetch(input, init = {}) {
    const ctx = currentAction();
    const url = new URL(String(input instanceof Request ? input.url : input));
    const method = (init.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = new Headers(input instanceof Request ? input.headers : undefined);
    new Headers(init.headers).forEach((v, k) => {
      headers.set(k, v);
    });
    if (ctx) headers.set('traceparent', formatTraceparent({ traceId: ctx.traceId, spanId: '' }));
    const streaming = method === 'GET' && (headers.get('accept') ?? '').includes('text/event-stream');
    const signals = [init.signal, streaming ? undefined : AbortSignal.timeout(options.timeoutMs)].filter((s): s is AbortSignal => !!s);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const t0 = performance.now();
    const response = await base(input instanceof Request ? input.url : input, { ...init, method, headers, ...(signal ? { signal } : {}) });
    if (!ctx) return response;

    const text = bodyText(init.body);
    const contentType = headers.get('content-type') ?? '';
    const form =
      text !== undefined && (contentType.includes('application/x-www-form-urlencoded') || (!contentType && text.includes('grant_type=')))
        ? new URLSearchParams(text)
        : undefined;
    const json = text !== undefined && !form ? parseJson(text) : undefined;
    const step = classify(method, url, form, json, ctx);
    if (!step) return response;

    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    const resBody = isJson ? (parseJson(await response.clone().text()) as Record<string, unknown> | undefined) : undefined;
    const redact = options.redact ?? false;
    const error = typeof resBody?.error === 'string' ? resBody.error : undefined;
    ctx.flowLog.emit({
      traceId: ctx.traceId,
      party: 'client',
      step,
      outcome: outcomeOf(step, response.status, error),
      summary: summaryOf(step, url, form, json, response.status, resBody),
      subject: ctx.subject,
      http: {
        method,
        url: url.href,
        status: response.status,
        request: { headers: redactRecord(pick(headers, KEPT_REQUEST_HEADERS)), body: form ? redactRecord(Object.fromEntries(form)) : json },
        response: { headers: redactRecord(pick(response.headers, KEPT_RESPONSE_HEADERS)), ...(resBody ? { body: redactRecord(resBody) } : {}) },
        durationMs: Math.round(performance.now() - t0),
      },
      tokens: await tokensOf(step, form, headers, resBody, redact),
      ...(error ? { error: { code: error, description: typeof resBody?.error_description === 'string' ? resBody.error_description : '' } } : {}),
      data: {
        ...ctx.data,
        ...(form?.get('audience') ? { audience: form.get('audience') } : {}),
        ...(form?.get('resource') ? { resource: form.get('resource') } : {}),
        ...(form?.get('scope') ? { requestedScope: form.get('scope') } : {}),
        ...(typeof resBody?.scope === 'string' ? { grantedScope: resBody.scope } : {}),
        ...(await proofKey(headers.get('dpop'))),
      },
    });
    return response;
  };
}

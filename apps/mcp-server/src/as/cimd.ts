/**
 * Client ID Metadata Documents (MCP-AUTHZ client registration; draft-ietf-oauth-client-id-metadata-document):
 * a `client_id` that is an https URL names a JSON document the AS fetches. The fetch is SSRF-careful:
 * https only (plain http only for loopback hosts, for local development), no redirects, a size cap, a
 * timeout, JSON object only; the document must carry `client_id` equal to the URL byte for byte,
 * `client_name` and `redirect_uris`, and no shared secret. Documents are cached for a few minutes.
 * The resolver is given node-kit's `outboundFetch`: the resolved address is checked (no link-local
 * or metadata addresses; loopback and private ones only when the server allows them) and pinned.
 */

import { OutboundRefused } from '@xaa/node-kit';
import { defaults } from '../config.ts';

export type CimdResult = { ok: true; metadata: Record<string, unknown> } | { ok: false; reason: string };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether `id` is shaped like a CIMD client_id we may fetch (does not fetch). */
export function isClientIdUrl(id: string): boolean {
  return checkUrl(id) === undefined;
}

function checkUrl(id: string): string | undefined {
  if (!/^https?:\/\//i.test(id)) return 'not an http(s) URL';
  let u: URL;
  try {
    u = new URL(id);
  } catch {
    return 'not a valid URL';
  }
  if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname)) return 'http is only allowed for loopback hosts; use https';
  if (u.username || u.password) return 'must not contain credentials';
  if (u.hash || id.includes('#')) return 'must not contain a fragment';
  if (u.pathname === '/' || u.pathname === '') return 'must have a path';
  if (/\/\.\.?(\/|$)/.test(u.pathname) || /%2e/i.test(id)) return 'must not contain dot segments';
  return undefined;
}

async function readCapped(res: Response, max: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) return undefined;
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class CimdResolver {
  private readonly cache = new Map<string, { at: number; result: CimdResult }>();

  constructor(
    private readonly fetchFn: typeof fetch = fetch,
    private readonly nowMs: () => number = Date.now,
    private readonly limits = defaults.cimd,
  ) {}

  async resolve(id: string): Promise<CimdResult> {
    const hit = this.cache.get(id);
    // Failures are cached briefly so a bad document cannot make every request refetch it.
    if (hit && this.nowMs() - hit.at < (hit.result.ok ? this.limits.cacheMs : 10_000)) return hit.result;
    const result = await this.fetchDocument(id);
    if (this.cache.size > 500) this.cache.clear();
    this.cache.set(id, { at: this.nowMs(), result });
    return result;
  }

  /** The cached document of a client, if any (for display names; never fetches). */
  peek(id: string): Record<string, unknown> | undefined {
    const hit = this.cache.get(id);
    return hit?.result.ok ? hit.result.metadata : undefined;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }

  private async fetchDocument(id: string): Promise<CimdResult> {
    const bad = checkUrl(id);
    if (bad) return { ok: false, reason: `client_id URL ${bad}` };
    let res: Response;
    try {
      res = await this.fetchFn(id, { redirect: 'manual', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.limits.timeoutMs) });
    } catch (e) {
      if (e instanceof OutboundRefused) return { ok: false, reason: `metadata document not fetched: ${e.message}` };
      return { ok: false, reason: `metadata document fetch failed (${(e as Error).name === 'TimeoutError' ? 'timeout' : 'network error'})` };
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      return { ok: false, reason: `metadata document answered ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}` };
    }
    const text = await readCapped(res, this.limits.maxBytes).catch(() => undefined);
    if (text === undefined) return { ok: false, reason: `metadata document is larger than ${this.limits.maxBytes} bytes or unreadable` };
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return { ok: false, reason: 'metadata document is not JSON' };
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { ok: false, reason: 'metadata document is not a JSON object' };
    const d = doc as Record<string, unknown>;
    if (d.client_id !== id) return { ok: false, reason: 'metadata document client_id does not equal its URL' };
    if (typeof d.client_name !== 'string' || !d.client_name.trim()) return { ok: false, reason: 'metadata document has no client_name' };
    if (!Array.isArray(d.redirect_uris) || d.redirect_uris.length === 0 || !d.redirect_uris.every((u) => typeof u === 'string' && URL.canParse(u)))
      return { ok: false, reason: 'metadata document has no valid redirect_uris' };
    if ('client_secret' in d || 'client_secret_expires_at' in d) return { ok: false, reason: 'metadata document must not contain a client secret' };
    const auth = d.token_endpoint_auth_method ?? 'none';
    if (auth !== 'none' && auth !== 'private_key_jwt')
      return { ok: false, reason: `token_endpoint_auth_method ${String(auth)} is not allowed for a metadata document client` };
    if (auth === 'private_key_jwt' && !d.jwks && !d.jwks_uri) return { ok: false, reason: 'private_key_jwt needs jwks or jwks_uri' };
    const grants = Array.isArray(d.grant_types)
      ? (d.grant_types as unknown[]).filter((g): g is string => g === 'authorization_code' || g === 'refresh_token')
      : [];
    return {
      ok: true,
      metadata: {
        client_id: id,
        client_name: d.client_name,
        redirect_uris: d.redirect_uris,
        grant_types: grants.length ? grants : ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: auth,
        ...(auth === 'private_key_jwt' ? (d.jwks ? { jwks: d.jwks } : { jwks_uri: d.jwks_uri }) : {}),
        ...(typeof d.client_uri === 'string' ? { client_uri: d.client_uri } : {}),
        ...(typeof d.logo_uri === 'string' ? { logo_uri: d.logo_uri } : {}),
      },
    };
  }
}

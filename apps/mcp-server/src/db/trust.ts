/**
 * Trusted identity providers of one AS ("Configure XAA", EMA §7.4.1): issuer, JWKS URI and the
 * accepted algorithms. Each issuer gets its own jose remote JWKS (cached, refetched on an unknown kid
 * with a short cooldown), so a key is only ever looked up among the keys of the issuer the ID-JAG
 * names (issuer binding before key selection, draft-04 §4.4.1). Never published.
 */

import { createPublicKey, type JsonWebKey as NodeJsonWebKey } from 'node:crypto';
import { type Db, jwtVerifyNode, type NodeVerifyKey } from '@xaa/node-kit';
import type { TrustedIssuer } from '@xaa/protocol';
import { createRemoteJWKSet, type JSONWebKeySet, type JWKSCacheInput, type JWTVerifyGetKey, errors as joseErrors, jwksCache } from 'jose';
import { defaults } from '../config.ts';

export interface TrustedIssuerRecord {
  issuer: string;
  jwks_uri: string;
  algorithms: string[];
  enabled: boolean;
  created_at: number;
  updated_at: number;
}

type Row = { issuer: string; jwks_uri: string; algorithms: string; enabled: number; created_at: number; updated_at: number };

const toRecord = (r: Row): TrustedIssuerRecord => ({
  issuer: r.issuer,
  jwks_uri: r.jwks_uri,
  algorithms: JSON.parse(r.algorithms) as string[],
  enabled: r.enabled === 1,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export class TrustStore {
  private readonly remote = new Map<string, { jwks_uri: string; trusted: TrustedIssuer }>();
  /** The verifier's view, rebuilt after every change (this process is the only writer). */
  private view: TrustedIssuer[] | undefined;

  constructor(
    private readonly db: Db,
    private readonly server: string,
    private readonly nowSeconds: () => number,
  ) {}

  list(): TrustedIssuerRecord[] {
    return (this.db.prepare('SELECT * FROM trusted_issuers WHERE server = ? ORDER BY created_at, issuer').all(this.server) as Row[]).map(toRecord);
  }

  get(issuer: string): TrustedIssuerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM trusted_issuers WHERE server = ? AND issuer = ?').get(this.server, issuer) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Returns false when the issuer is already configured. */
  add(input: { issuer: string; jwks_uri: string; algorithms: string[]; enabled?: boolean }): boolean {
    const now = this.nowSeconds();
    return (
      this.db
        .prepare(
          'INSERT INTO trusted_issuers (server, issuer, jwks_uri, algorithms, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        )
        .run(this.server, input.issuer, input.jwks_uri, JSON.stringify(input.algorithms), input.enabled === false ? 0 : 1, now, now).changes === 1 &&
      this.changed()
    );
  }

  update(issuer: string, patch: { jwks_uri?: string; algorithms?: string[]; enabled?: boolean }): TrustedIssuerRecord | undefined {
    const current = this.get(issuer);
    if (!current) return undefined;
    const next = { ...current, ...patch };
    this.db
      .prepare('UPDATE trusted_issuers SET jwks_uri = ?, algorithms = ?, enabled = ?, updated_at = ? WHERE server = ? AND issuer = ?')
      .run(next.jwks_uri, JSON.stringify(next.algorithms), next.enabled ? 1 : 0, this.nowSeconds(), this.server, issuer);
    this.remote.delete(issuer);
    this.changed();
    return this.get(issuer);
  }

  remove(issuer: string): boolean {
    this.remote.delete(issuer);
    this.changed();
    return this.db.prepare('DELETE FROM trusted_issuers WHERE server = ? AND issuer = ?').run(this.server, issuer).changes === 1;
  }

  private changed(): true {
    this.view = undefined;
    return true;
  }

  /** The verifier's view: enabled issuers, each with its own cached remote key set. */
  trustedIssuers(): TrustedIssuer[] {
    this.view ??= this.list()
      .filter((r) => r.enabled)
      .map((r) => {
        let entry = this.remote.get(r.issuer);
        if (!entry || entry.jwks_uri !== r.jwks_uri) {
          // jose writes the set it fetched (and when) into `cache` on every successful fetch.
          const cache: JWKSCacheInput = {};
          const remote = createRemoteJWKSet(new URL(r.jwks_uri), {
            cooldownDuration: defaults.jwksCooldownMs,
            cacheMaxAge: defaults.jwksCacheMaxAgeMs,
            timeoutDuration: defaults.jwksTimeoutMs,
            [jwksCache]: cache,
          });
          const jwks = refetchAfterCooldown(remote);
          const keys = nodeKeys(remote, cache);
          entry = {
            jwks_uri: r.jwks_uri,
            trusted: {
              issuer: r.issuer,
              jwks,
              // Node's crypto on the keys jose fetched, while jose's copy is fresh; else jose's path.
              jwtVerify: (token, _jwks, options) => jwtVerifyNode(token, keys() ?? [], jwks, options),
            },
          };
          this.remote.set(r.issuer, entry);
        }
        return { ...entry.trusted, algorithms: r.algorithms };
      });
    return this.view;
  }
}

/**
 * An unknown kid right after a fetch (the IdP rotated moments ago) would fail for the whole cooldown.
 * Instead, wait for the cooldown to end and look once more: the refetch rate stays bounded (one per
 * cooldown per issuer) and the first ID-JAG signed with a new key is accepted (EMA §7.4.1 "rotate keys
 * safely"), only a little later.
 */
function refetchAfterCooldown(remote: ReturnType<typeof createRemoteJWKSet>): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (e) {
      if (!(e instanceof joseErrors.JWKSNoMatchingKey) || !remote.coolingDown) throw e;
      await new Promise((resolve) => setTimeout(resolve, defaults.jwksCooldownMs + 50));
      return remote(header, token);
    }
  };
}

/**
 * The remote key set's keys imported once as KeyObjects for `jwtVerifyNode`, re-imported only when jose
 * fetched a new set (jose replaces `cache.jwks` on each successful fetch, so the set's identity is the
 * version); none (jose's own path, which refetches) when jose's copy is older than its `cacheMaxAge`
 * or not fetched yet. Only keys that name their algorithm are imported; a token signed with any other
 * key is verified by jose.
 */
export function nodeKeys(remote: { readonly fresh: boolean }, cache: JWKSCacheInput): () => NodeVerifyKey[] | undefined {
  let source: JSONWebKeySet | undefined;
  let keys: NodeVerifyKey[] = [];
  return () => {
    const set = remote.fresh ? (cache as { jwks?: JSONWebKeySet }).jwks : undefined;
    if (!set) return undefined;
    if (set !== source) {
      source = set;
      keys = importKeys(set);
    }
    return keys;
  };
}

function importKeys(set: JSONWebKeySet): NodeVerifyKey[] {
  return set.keys.flatMap((k): NodeVerifyKey[] => {
    const alg = k.alg === 'ES256' && k.kty === 'EC' && k.crv === 'P-256' ? 'ES256' : k.alg === 'RS256' && k.kty === 'RSA' ? 'RS256' : undefined;
    if (!alg || (k.use !== undefined && k.use !== 'sig') || (k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.includes('verify')))) return [];
    try {
      return [{ ...(k.kid !== undefined ? { kid: k.kid } : {}), alg, key: createPublicKey({ key: k as NodeJsonWebKey, format: 'jwk' }) }];
    } catch {
      return [];
    }
  });
}

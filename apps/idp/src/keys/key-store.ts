/**
 * The IdP's signing keys, persisted in idp.db (docs/decisions.md §4: ES256 by default, RS256 selectable, keys
 * persisted, rotation keeps the old key in the JWKS until the tokens signed with it have expired).
 *
 * The newest unretired key signs everything: ID tokens and JWT access tokens (oidc-provider is given
 * the private JWKs, current first) and ID-JAGs (signed here with jose, same `kid`). A retired key
 * stays published for `overlapSeconds` after its retirement, then it is pruned.
 */
import { type Db, nodeJwsSigner, VerifiedTokenCache } from '@xaa/node-kit';
import type { SigningAlgorithm, SigningKey } from '@xaa/protocol';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JWK, type JWTVerifyGetKey, type JWTVerifyResult } from 'jose';

export interface KeyRecord {
  kid: string;
  alg: SigningAlgorithm;
  private_jwk: JWK;
  public_jwk: JWK;
  created_at: number;
  retired_at: number | null;
}

type Row = { kid: string; alg: string; private_jwk: string; public_jwk: string; created_at: number; retired_at: number | null };

export class KeyStore {
  private signing: Promise<SigningKey> | undefined;
  private signingKid: string | undefined;
  private local: JWTVerifyGetKey | undefined;
  /** The keys table, read once: this store is its only writer (rotate clears it). */
  private cached: KeyRecord[] | undefined;
  /**
   * Subject ID tokens whose signature and claims verified against these keys (the token exchange's
   * subject-token step), until their `exp`. Cleared on rotation: a verification stands only for the
   * key set that made it. The step still checks the user, audience and policy on every request.
   */
  readonly verifiedIdTokens = new VerifiedTokenCache<JWTVerifyResult>();

  constructor(
    private readonly db: Db,
    private readonly nowMs: () => number,
    /** How long a retired key stays published: at least the longest lifetime of a token it signed. */
    readonly overlapSeconds: number,
  ) {}

  private now(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  private rows(): KeyRecord[] {
    this.cached ??= this.load();
    return this.cached;
  }

  private load(): KeyRecord[] {
    return (this.db.prepare('SELECT * FROM keys ORDER BY created_at DESC, rowid DESC').all() as Row[]).map((r) => ({
      kid: r.kid,
      alg: r.alg as SigningAlgorithm,
      private_jwk: JSON.parse(r.private_jwk) as JWK,
      public_jwk: JSON.parse(r.public_jwk) as JWK,
      created_at: r.created_at,
      retired_at: r.retired_at,
    }));
  }

  /** Keys still published: the current one first, then retired ones inside their overlap window. */
  list(): KeyRecord[] {
    const now = this.now();
    return this.rows().filter((k) => k.retired_at === null || k.retired_at + this.overlapSeconds > now);
  }

  current(): KeyRecord | undefined {
    return this.rows().find((k) => k.retired_at === null);
  }

  /** Make sure a current key exists, with the preferred algorithm if one is given. */
  async ensure(alg: SigningAlgorithm): Promise<KeyRecord> {
    const current = this.current();
    if (current && current.alg === alg) return current;
    return this.rotate(alg);
  }

  /** A new current key; the previous one is retired but stays published for the overlap window. */
  async rotate(alg?: SigningAlgorithm): Promise<KeyRecord> {
    const nextAlg = alg ?? this.current()?.alg ?? 'ES256';
    const { privateKey, publicKey } = await generateKeyPair(nextAlg, { extractable: true, ...(nextAlg === 'RS256' ? { modulusLength: 2048 } : {}) });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const meta = { kid, alg: nextAlg, use: 'sig' };
    const priv = { ...(await exportJWK(privateKey)), ...meta };
    const pub = { ...publicJwk, ...meta };
    const now = this.now();
    this.db.transaction(() => {
      this.db.prepare('UPDATE keys SET retired_at = ? WHERE retired_at IS NULL').run(now);
      this.db
        .prepare('INSERT INTO keys (kid, alg, private_jwk, public_jwk, created_at, retired_at) VALUES (?, ?, ?, ?, ?, NULL)')
        .run(kid, nextAlg, JSON.stringify(priv), JSON.stringify(pub), now);
      this.db.prepare('DELETE FROM keys WHERE retired_at IS NOT NULL AND retired_at + ? <= ?').run(this.overlapSeconds, now);
    })();
    this.signing = undefined;
    this.local = undefined;
    this.cached = undefined;
    this.verifiedIdTokens.clear();
    return this.current() as KeyRecord;
  }

  /** Private JWKs for oidc-provider's `jwks` option: the current key first so it is selected for signing. */
  providerJwks(): { keys: JWK[] } {
    return { keys: this.list().map((k) => k.private_jwk) };
  }

  /** The public JWKS (what `/jwks` publishes). */
  publicJwks(): { keys: JWK[] } {
    return { keys: this.list().map((k) => k.public_jwk) };
  }

  /** The current key, imported for jose. */
  signingKey(): Promise<SigningKey> {
    const current = this.current();
    if (!current) throw new Error('no signing key');
    if (!this.signing || this.signingKid !== current.kid) {
      this.signingKid = current.kid;
      const sign = nodeJwsSigner(current.private_jwk, current.alg);
      this.signing = importJWK(current.private_jwk, current.alg).then((key) => ({ kid: current.kid, alg: current.alg, key, sign }));
    }
    return this.signing;
  }

  /** Verify tokens this IdP signed (subject ID tokens) against its own published keys, without HTTP. */
  verifier(): JWTVerifyGetKey {
    this.local ??= createLocalJWKSet(this.publicJwks());
    return this.local;
  }
}

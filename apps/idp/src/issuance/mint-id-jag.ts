/**
 * Step 4 of issuance: mint the ID-JAG (draft-04 §3.1) for an allowed decision. `aud` is the AS issuer,
 * `client_id` the client's id at that AS (draft-04 §5 mapping), `resource` the paired resource,
 * `scope` exactly the granted scopes (spec digest §6.5), `sub` the user's stable id — or a pairwise id
 * per AS when that server is configured so (draft-04 §3.1: the id the IdP would use towards that AS).
 * Signed with the IdP's current key (same `kid` as its ID tokens), header `typ: oauth-id-jag+jwt`.
 * `email` comes with `email_verified` (OIDC Core §5.1), as in the ID token: the directory's addresses
 * are set by IT, and an AS links an existing account by email only when the IdP vouches for it.
 */
import { createHmac } from 'node:crypto';
import { buildIdJagClaims, type IdJagClaims, mintIdJag, type SigningKey } from '@xaa/protocol';

export interface MintInput {
  issuer: string;
  user: { id: string; email: string };
  server: { issuer: string; pairwise_subject: boolean };
  resource: string;
  remoteClientId: string;
  scopes: string[];
  ttlSeconds: number;
  authTime: number | undefined;
  nowSeconds: number;
  /** Salt for pairwise subjects (persisted). */
  pairwiseSecret: string;
  /** RFC 7638 thumbprint of a DPoP key the request proved (draft-04 §9.8.1.1): adds `cnf.jkt`. */
  jkt?: string;
}

/** A pairwise subject: stable per (user, AS), unlinkable across ASes (OIDC Core §8.1). */
export function pairwiseSubject(secret: string, userId: string, asIssuer: string): string {
  return createHmac('sha256', secret).update(`${asIssuer}\n${userId}`).digest('base64url');
}

export function idJagClaims(input: MintInput): IdJagClaims {
  return buildIdJagClaims({
    issuer: input.issuer,
    subject: input.server.pairwise_subject ? pairwiseSubject(input.pairwiseSecret, input.user.id, input.server.issuer) : input.user.id,
    audience: input.server.issuer,
    clientId: input.remoteClientId,
    resource: input.resource,
    scopes: input.scopes,
    ttlSeconds: input.ttlSeconds,
    now: input.nowSeconds,
    ...(input.authTime !== undefined ? { authTime: input.authTime } : {}),
    email: input.user.email,
    emailVerified: true,
    ...(input.jkt ? { extra: { cnf: { jkt: input.jkt } } } : {}),
  });
}

export async function mintIdJagFor(input: MintInput, key: SigningKey): Promise<{ compact: string; claims: IdJagClaims }> {
  const claims = idJagClaims(input);
  return { compact: await mintIdJag(claims, key), claims };
}

/** Sign an ID-JAG: compact JWS with `typ: oauth-id-jag+jwt` (draft-04 §3.1) and the IdP's `kid`. */
import { base64url, type CryptoKey, type JWTPayload, type KeyObject, SignJWT } from 'jose';
import { TYP_ID_JAG } from '../constants.ts';

export interface SigningKey {
  kid: string;
  alg: string;
  key: CryptoKey | KeyObject | Uint8Array;
  /**
   * Optional: the base64url JWS signature over `signingInput` with this same key, by a cheaper
   * primitive than jose's WebCrypto path (on Node, node-kit `nodeJwsSigner`). Without it, jose signs.
   */
  sign?: (signingInput: string) => string;
}

/**
 * Sign any claim set with explicit typing. `typ` defaults to the ID-JAG type; pass another to sign
 * access tokens (`at+jwt`) or test tokens.
 */
export async function signJwt(claims: JWTPayload, signingKey: SigningKey, header: { typ?: string; [k: string]: unknown } = {}): Promise<string> {
  const protectedHeader = { ...header, alg: signingKey.alg, kid: signingKey.kid, typ: header.typ ?? TYP_ID_JAG };
  if (!signingKey.sign) return new SignJWT(claims).setProtectedHeader(protectedHeader).sign(signingKey.key);
  // RFC 7515 §7.1 compact serialisation, the bytes SignJWT would sign, with the key's own signer.
  const signingInput = `${base64url.encode(JSON.stringify(protectedHeader))}.${base64url.encode(JSON.stringify(claims))}`;
  return `${signingInput}.${signingKey.sign(signingInput)}`;
}

export function mintIdJag(claims: JWTPayload, signingKey: SigningKey): Promise<string> {
  return signJwt(claims, signingKey, { typ: TYP_ID_JAG });
}

/** Sign an ID-JAG: compact JWS with `typ: oauth-id-jag+jwt` (draft-04 §3.1) and the IdP's `kid`. */
import { type CryptoKey, type JWTPayload, type KeyObject, SignJWT } from 'jose';
import { TYP_ID_JAG } from '../constants.ts';

export interface SigningKey {
  kid: string;
  alg: string;
  key: CryptoKey | KeyObject | Uint8Array;
}

/**
 * Sign any claim set with explicit typing. `typ` defaults to the ID-JAG type; pass another to sign
 * access tokens (`at+jwt`) or test tokens.
 */
export async function signJwt(claims: JWTPayload, signingKey: SigningKey, header: { typ?: string; [k: string]: unknown } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ ...header, alg: signingKey.alg, kid: signingKey.kid, typ: header.typ ?? TYP_ID_JAG }).sign(signingKey.key);
}

export function mintIdJag(claims: JWTPayload, signingKey: SigningKey): Promise<string> {
  return signJwt(claims, signingKey, { typ: TYP_ID_JAG });
}

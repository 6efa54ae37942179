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

export type JwsHeader = { typ: string; alg: string; kid: string; [k: string]: unknown };

/** The JOSE header `signJwt` signs with: the caller's parameters, then the key's `alg` and `kid`, and `typ`. */
export function jwsHeader(signingKey: SigningKey, header: { typ?: string; [k: string]: unknown } = {}): JwsHeader {
  // Object.assign, not `{ ...header, alg, … }`: on Node 20 a spread followed by more properties takes a slow path.
  return Object.assign({}, header, { alg: signingKey.alg, kid: signingKey.kid, typ: header.typ ?? TYP_ID_JAG });
}

type NodeBuffer = { from(s: string, enc: 'utf8'): { toString(enc: 'base64url'): string } };
/** Node's Buffer when this runs on Node (the package also runs in browsers, where jose encodes). */
const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
const encode = (json: string) => (nodeBuffer ? nodeBuffer.from(json, 'utf8').toString('base64url') : base64url.encode(json));

/** Encoded protected headers by their JSON: a key signs with one or two headers, each encoded once. */
const encodedHeaders = new Map<string, string>();
function encodeHeader(header: JwsHeader): string {
  const json = JSON.stringify(header);
  let encoded = encodedHeaders.get(json);
  if (encoded === undefined) {
    encoded = encode(json);
    if (encodedHeaders.size >= 32) encodedHeaders.clear();
    encodedHeaders.set(json, encoded);
  }
  return encoded;
}

/**
 * Sign any claim set with explicit typing. `typ` defaults to the ID-JAG type; pass another to sign
 * access tokens (`at+jwt`) or test tokens.
 */
export function signJwt(claims: JWTPayload, signingKey: SigningKey, header: { typ?: string; [k: string]: unknown } = {}): Promise<string> {
  return signJwtWithHeader(claims, signingKey, jwsHeader(signingKey, header));
}

/** `signJwt` with the protected header already built by `jwsHeader` (a caller that also shows the header). */
export async function signJwtWithHeader(claims: JWTPayload, signingKey: SigningKey, protectedHeader: JwsHeader): Promise<string> {
  if (!signingKey.sign) return new SignJWT(claims).setProtectedHeader(protectedHeader).sign(signingKey.key);
  // RFC 7515 §7.1 compact serialisation, the bytes SignJWT would sign, with the key's own signer.
  const signingInput = `${encodeHeader(protectedHeader)}.${encode(JSON.stringify(claims))}`;
  return `${signingInput}.${signingKey.sign(signingInput)}`;
}

export function mintIdJag(claims: JWTPayload, signingKey: SigningKey): Promise<string> {
  return signJwt(claims, signingKey, { typ: TYP_ID_JAG });
}

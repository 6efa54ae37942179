/** The shapes the fuzz plan (endpoints.ts), the corpus and the runner share. */

export type BodyKind = 'form' | 'json' | 'jsonrpc' | 'query' | 'none';

export interface EndpointSpec {
  /** Stable name, e.g. `idp token` or `tasks admin PUT settings`. */
  name: string;
  /** Which app answers (for the report). */
  app: string;
  origin: string;
  method: string;
  /** Path (no query). */
  path: string;
  kind: BodyKind;
  /** A valid parameter set (form or query) or JSON body for the template request. */
  params?: Record<string, string>;
  json?: unknown;
  /** Headers of the template request (valid authentication and the like). */
  headers?: Record<string, string>;
  /** Names of parameters whose values are JWTs (mutated structure-aware). */
  jwtParams?: string[];
}

export interface FuzzRequest {
  endpoint: string;
  app: string;
  index: number;
  mutation: string;
  method: string;
  url: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** Markers this request carries (see corpus.ts). */
  markers: string[];
}

export interface Samples {
  /** JWT templates keyed by parameter name (`subject_token`, `assertion`…), plus `admin` and `default`. */
  jwts: Record<string, string>;
}

export interface FuzzTokens {
  /** A non-admin user's ID token and access token (acme-agent). */
  idToken: string;
  userAccessToken: string;
  /** ID-JAG and access token per XAA server name. */
  idJags: Record<string, string>;
  accessTokens: Record<string, string>;
  /** Ops admin token per admin base URL. */
  admin: Record<string, string>;
  /** A signed-in console session: cookie header and CSRF token. */
  console?: { cookie: string; csrf: string };
  /** A tool each XAA server offers (name and arguments). */
  tools: Record<string, { name: string; args: unknown }>;
}

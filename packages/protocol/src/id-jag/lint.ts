/**
 * ID-JAG lint: claim-by-claim verdicts with spec citations, for humans reading a token (the console's
 * token inspector and `xaa decode`). Pure: no I/O, no clock unless injected, no signature check — a
 * lint pass says "this token is shaped like a valid ID-JAG", never "this token is trustworthy"; that is
 * `verifyIdJag`'s job at the resource authorization server.
 *
 * Each finding has a stable `rule` id that tests and the UI switch on (never the message text).
 */
import { DEFAULT_ID_JAG_TTL, TYP_ID_JAG } from '../constants.ts';
import { decodeUnverified, typIs } from '../jwt.ts';
import { isValidScopeToken } from '../scope.ts';

export type LintLevel = 'error' | 'warning' | 'info';

export interface LintFinding {
  /** Stable id, e.g. `typ`, `aud.single`, `lifetime.short`. */
  rule: string;
  /** Severity when the rule is not met. */
  level: LintLevel;
  /** True when the token meets the rule. */
  ok: boolean;
  /** One line, what the rule asks. */
  title: string;
  /** What this token does, in a sentence. */
  detail: string;
  /** The clause that states the rule. */
  specRef: string;
}

export interface LintIdJagOptions {
  /** Seconds since the epoch; defaults to the current time. */
  now?: number;
  /** When known, the IdP issuer the token should come from (compared byte for byte, docs/decisions.md §4). */
  expectedIssuer?: string;
  /** When known, the resource AS issuer the token should be addressed to. */
  expectedAudience?: string;
  /** When known, the resource identifiers that AS serves. */
  expectedResources?: readonly string[];
  /** Longest lifetime considered short (EMA §7.4.2); default 300 s. */
  maxLifetime?: number;
  /** Accepted clock skew for iat/exp in seconds; default 30. */
  clockSkew?: number;
}

export interface LintIdJagResult {
  /** False when the input is not a decodable compact JWS at all. */
  decoded: boolean;
  /** True when the token declares itself an ID-JAG (`typ`). Other JWTs get the same checks, for contrast. */
  isIdJag: boolean;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  findings: LintFinding[];
  /** Number of failed findings per level. */
  summary: Record<LintLevel, number>;
}

/** Short explanations of the claims an ID-JAG carries (draft-04 §3.1), for display beside each claim. */
export const ID_JAG_CLAIM_DOCS: Record<string, { meaning: string; specRef: string }> = {
  iss: { meaning: 'The IdP that issued the token (its RFC 8414 issuer identifier).', specRef: 'draft-04 §3.1' },
  sub: { meaning: 'The user, as the IdP identifies them to the resource authorization server.', specRef: 'draft-04 §3.1, §5' },
  aud: { meaning: 'The resource authorization server that may redeem it: its issuer, one value.', specRef: 'draft-04 §3.1, §4.4.1' },
  client_id: { meaning: "The client's identifier at the resource authorization server (not at the IdP).", specRef: 'draft-04 §3.1, §5' },
  jti: { meaning: 'Unique token id; the AS remembers it until exp so the grant is single-use.', specRef: 'draft-04 §3.1, EMA §7.4.2' },
  iat: { meaning: 'When it was issued (seconds since the epoch).', specRef: 'RFC 7519 §4.1.6' },
  exp: { meaning: 'When it expires; ID-JAGs are short-lived (about five minutes).', specRef: 'RFC 7519 §4.1.4, EMA §7.4.2' },
  nbf: { meaning: 'Not valid before this time.', specRef: 'RFC 7519 §4.1.5' },
  resource: { meaning: 'The MCP server (RFC 9728 resource identifier) the access token will be restricted to.', specRef: 'EMA §4.3, RFC 8707 §2' },
  scope: { meaning: 'Scopes the IdP granted under the admin policy, space-delimited.', specRef: 'draft-04 §3.1, RFC 6749 §3.3' },
  email: { meaning: "The user's email: a hint for account linking or JIT provisioning, never an identifier.", specRef: 'draft-04 §3.1, EMA §7.4.3' },
  email_verified: {
    meaning: 'Whether the IdP verified the email; an AS links an existing account by email only when it is true.',
    specRef: 'OIDC Core §5.1, draft-04 §6.3',
  },
  auth_time: { meaning: 'When the user last authenticated at the IdP.', specRef: 'draft-04 §3.1, OIDC Core §2' },
  acr: { meaning: 'Authentication context class of the login.', specRef: 'draft-04 §3.1, OIDC Core §2' },
  amr: { meaning: 'Authentication methods used at login (e.g. pwd, mfa).', specRef: 'draft-04 §3.1, RFC 8176' },
  tenant: { meaning: 'The IdP tenant, for multi-tenant issuers.', specRef: 'draft-04 §6.1' },
  aud_sub: { meaning: "The resource AS's own identifier for the user, when the IdP knows it.", specRef: 'draft-04 §3.1' },
  aud_tenant: { meaning: 'The tenant at the resource authorization server.', specRef: 'draft-04 §3.1' },
  sub_id: { meaning: 'RFC 9493 subject identifier (e.g. saml-nameid) for ASes that resolve users by SAML NameID.', specRef: 'draft-04 §3.2' },
  cnf: { meaning: 'Key confirmation: the ID-JAG is bound to a DPoP key (jkt thumbprint).', specRef: 'draft-04 §9.8.1, RFC 9449' },
  act: { meaning: 'Actor claim: who acts on behalf of the subject.', specRef: 'RFC 8693 §4.1' },
  authorization_details: { meaning: 'RFC 9396 rich authorization request details granted.', specRef: 'draft-04 §3.1, RFC 9396' },
  azp: { meaning: 'Authorized party: the client the token was issued to (ID tokens).', specRef: 'OIDC Core §2' },
  nonce: { meaning: 'Binds an ID token to the client session that asked for it.', specRef: 'OIDC Core §2' },
};

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const json = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));

function isAbsoluteUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol.length > 1 && !u.hash;
  } catch {
    return false;
  }
}

/**
 * Lint a compact JWS (or already-decoded header and claims) against the ID-JAG rules of
 * draft-ietf-oauth-identity-assertion-authz-grant-04 and the MCP EMA extension.
 */
export function lintIdJag(
  token: string | { header: Record<string, unknown>; claims: Record<string, unknown> },
  options: LintIdJagOptions = {},
): LintIdJagResult {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const skew = options.clockSkew ?? 30;
  const maxLifetime = options.maxLifetime ?? DEFAULT_ID_JAG_TTL;
  const findings: LintFinding[] = [];
  const add = (rule: string, level: LintLevel, ok: boolean, title: string, detail: string, specRef: string) =>
    findings.push({ rule, level, ok, title, detail, specRef });

  let header: Record<string, unknown> = {};
  let claims: Record<string, unknown> = {};
  if (typeof token === 'string') {
    const decoded = decodeUnverified(token.trim());
    add(
      'format',
      'error',
      decoded !== undefined,
      'A compact JWS: three base64url parts with a JSON header and claim set',
      decoded ? 'Decodes as a signed JWT.' : 'This is not a decodable compact JWS.',
      'RFC 7515 §7.1, RFC 7519 §7.2',
    );
    if (!decoded) return { decoded: false, isIdJag: false, header, claims, findings, summary: summarise(findings) };
    header = decoded.header as Record<string, unknown>;
    claims = decoded.claims as Record<string, unknown>;
    const signature = token.trim().split('.')[2] ?? '';
    add(
      'signature.present',
      'error',
      signature.length > 0,
      'Signed (an ID-JAG is never an unsecured JWT)',
      signature.length > 0 ? 'A signature is present (checked separately against the JWKS).' : 'The signature part is empty.',
      'draft-04 §3, EMA §7.4.1',
    );
  } else {
    header = token.header;
    claims = token.claims;
  }

  // Header (draft-04 §3.1; EMA §7.4.1).
  const isIdJag = typIs(header.typ, TYP_ID_JAG);
  add(
    'typ',
    'error',
    isIdJag,
    `JOSE header typ is "${TYP_ID_JAG}"`,
    isIdJag
      ? 'Explicitly typed as an ID-JAG.'
      : `typ is ${json(header.typ)}: an AS must refuse it, so ID tokens and access tokens cannot be replayed as grants.`,
    'draft-04 §3.1, §4.4.1; RFC 8725 §3.11',
  );
  const alg = header.alg;
  const algOk = typeof alg === 'string' && alg !== 'none' && !/^HS/.test(alg);
  add(
    'alg',
    'error',
    algOk,
    'Asymmetric signing algorithm (never none or HMAC)',
    algOk ? `alg ${String(alg)}.` : `alg is ${json(alg)}, which a resource AS must not accept.`,
    'EMA §7.4.1, RFC 8725 §3.1',
  );
  add(
    'kid',
    'warning',
    isNonEmptyString(header.kid),
    "Header names the signing key (kid) from the IdP's JWKS",
    isNonEmptyString(header.kid) ? `kid ${header.kid}.` : 'No kid: the AS cannot pick the key without trying each one.',
    'RFC 7515 §4.1.4, EMA §7.4.1',
  );

  // Registered claims the draft requires (draft-04 §3.1).
  const iss = claims.iss;
  add('iss', 'error', isNonEmptyString(iss), 'iss is present: the IdP issuer', isNonEmptyString(iss) ? `iss ${iss}.` : `iss is ${json(iss)}.`, 'draft-04 §3.1');
  if (isNonEmptyString(iss)) {
    add(
      'iss.form',
      'warning',
      !iss.endsWith('/'),
      'Issuer has no trailing slash (compared byte for byte)',
      iss.endsWith('/') ? 'The issuer ends with "/": a resource AS configured without it will refuse the token.' : 'No trailing slash.',
      'RFC 8414 §2, RFC 3986 §6.2.1',
    );
    if (options.expectedIssuer !== undefined)
      add(
        'iss.expected',
        'error',
        iss === options.expectedIssuer,
        'Issued by the expected IdP',
        iss === options.expectedIssuer ? `Matches ${options.expectedIssuer}.` : `Expected ${options.expectedIssuer}, got ${iss}.`,
        'EMA §7.4.1',
      );
  }
  add(
    'sub',
    'error',
    isNonEmptyString(claims.sub),
    'sub is present: the user as the IdP names them to the resource AS',
    isNonEmptyString(claims.sub) ? `sub ${claims.sub}.` : `sub is ${json(claims.sub)}.`,
    'draft-04 §3.1, §5',
  );

  const aud = claims.aud;
  const audValues = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  add(
    'aud',
    'error',
    audValues.length > 0,
    'aud is present: the resource AS issuer',
    audValues.length > 0 ? `aud ${json(aud)}.` : `aud is ${json(aud)}.`,
    'draft-04 §3.1',
  );
  if (audValues.length > 0) {
    const single = audValues.length === 1 && typeof audValues[0] === 'string';
    add(
      'aud.single',
      'error',
      single,
      'aud names exactly one audience (a string or a one-element array)',
      single ? 'One audience.' : `aud has ${audValues.length} values; the AS must reject it.`,
      'draft-04 §4.4.1',
    );
    const a = audValues[0];
    if (typeof a === 'string') {
      const looksLikeTokenEndpoint = /\/(token|oauth2\/v1\/token|oauth\/token)$/.test(a);
      add(
        'aud.issuer',
        'warning',
        !looksLikeTokenEndpoint,
        "aud is the AS's issuer identifier, not its token endpoint",
        looksLikeTokenEndpoint ? `${a} looks like a token endpoint, as in draft-parecki-00/01; since -02 aud is the AS issuer.` : 'Looks like an issuer.',
        'draft-04 §3.1, RFC 8414 §2',
      );
      if (isNonEmptyString(iss))
        add(
          'aud.not_self',
          'error',
          a !== iss,
          'Addressed to another authorization server, not to the IdP itself',
          a === iss ? 'aud equals iss: an IdP must not redeem its own ID-JAG for access tokens in the same trust domain.' : 'aud differs from iss.',
          'draft-04 §9.3',
        );
      if (options.expectedAudience !== undefined)
        add(
          'aud.expected',
          'error',
          a === options.expectedAudience,
          'Addressed to the expected resource AS',
          a === options.expectedAudience ? `Matches ${options.expectedAudience}.` : `Expected ${options.expectedAudience}, got ${a}.`,
          'draft-04 §4.4.1',
        );
    }
  }

  add(
    'client_id',
    'error',
    isNonEmptyString(claims.client_id),
    "client_id is present: the client's id at the resource AS",
    isNonEmptyString(claims.client_id)
      ? `client_id ${claims.client_id}.`
      : `client_id is ${json(claims.client_id)}; the AS binds the grant to the authenticated client with it.`,
    'draft-04 §3.1, §5',
  );
  add(
    'jti',
    'error',
    isNonEmptyString(claims.jti),
    'jti is present: makes the grant single-use',
    isNonEmptyString(claims.jti) ? `jti ${claims.jti}.` : `jti is ${json(claims.jti)}; without it the AS cannot detect replay.`,
    'draft-04 §3.1, EMA §7.4.2',
  );

  // Times (RFC 7519 §4.1.4/§4.1.6; EMA §7.4.2).
  const iat = claims.iat;
  const exp = claims.exp;
  add(
    'iat',
    'error',
    isNum(iat),
    'iat is present and numeric',
    isNum(iat) ? `Issued ${when(iat, now)}.` : `iat is ${json(iat)}.`,
    'draft-04 §3.1, RFC 7519 §4.1.6',
  );
  if (isNum(iat))
    add(
      'iat.past',
      'error',
      iat <= now + skew,
      'Issued in the past',
      iat <= now + skew ? 'Not in the future.' : `iat is ${iat - now}s in the future.`,
      'RFC 7523 §3 (6)',
    );
  add(
    'exp',
    'error',
    isNum(exp),
    'exp is present and numeric',
    isNum(exp) ? `Expires ${when(exp, now)}.` : `exp is ${json(exp)}.`,
    'draft-04 §3.1, RFC 7519 §4.1.4',
  );
  if (isNum(exp)) {
    add(
      'exp.valid',
      'warning',
      exp > now - skew,
      'Not expired (now)',
      exp > now - skew ? `Valid for ${exp - now}s more.` : `Expired ${now - exp}s ago; an AS would refuse it now.`,
      'RFC 7523 §3 (4)',
    );
  }
  if (isNum(exp) && isNum(iat)) {
    const lifetime = exp - iat;
    add(
      'exp.after_iat',
      'error',
      lifetime > 0,
      'exp is after iat',
      lifetime > 0 ? `Lifetime ${lifetime}s.` : `exp is not after iat (${lifetime}s).`,
      'RFC 7519 §4.1.4',
    );
    if (lifetime > 0)
      add(
        'lifetime.short',
        'warning',
        lifetime <= maxLifetime,
        `Short-lived (at most ${maxLifetime}s)`,
        lifetime <= maxLifetime ? `Lifetime ${lifetime}s.` : `Lifetime ${lifetime}s; ID-JAGs must be short-lived (examples use 300s).`,
        'EMA §7.4.2',
      );
  }
  if (claims.nbf !== undefined)
    add(
      'nbf',
      'error',
      isNum(claims.nbf),
      'nbf, when present, is numeric',
      isNum(claims.nbf) ? `Valid from ${when(claims.nbf, now)}.` : `nbf is ${json(claims.nbf)}.`,
      'RFC 7519 §4.1.5',
    );

  // Optional claims with rules when present.
  const resource = claims.resource;
  if (resource === undefined) {
    add(
      'resource',
      'info',
      false,
      'resource names the MCP server',
      'No resource claim: allowed, but an MCP-facing AS will usually require it to audience-restrict the access token.',
      'EMA §4.3, §5.1',
    );
  } else {
    const values = typeof resource === 'string' ? [resource] : Array.isArray(resource) ? resource : [];
    // A non-empty array of unique values (ID-JAG builds after -04, §4.3.4: the same syntax as the response member).
    const wellFormed = values.length > 0 && new Set(values).size === values.length && values.every((v) => typeof v === 'string' && isAbsoluteUrl(v));
    add(
      'resource',
      'error',
      wellFormed,
      'resource is an absolute URI without fragment (or a non-empty array of unique ones)',
      wellFormed ? `resource ${values.join(', ')}.` : `resource is ${json(resource)}.`,
      'RFC 8707 §2, EMA §4.3',
    );
    if (wellFormed && options.expectedResources)
      add(
        'resource.expected',
        'error',
        values.every((v) => options.expectedResources?.includes(v as string)),
        'resource is served by the audience AS',
        `Expected one of ${options.expectedResources.join(', ')}; the AS refuses any other with invalid_grant.`,
        'EMA §7.6.2; ID-JAG builds after -04 §4.4.1',
      );
  }
  if (claims.scope !== undefined) {
    const ok = typeof claims.scope === 'string' && claims.scope.split(' ').every((s) => s === '' || isValidScopeToken(s)) && claims.scope.trim() !== '';
    add(
      'scope',
      'error',
      ok,
      'scope is a space-delimited string of scope tokens',
      ok ? `scope "${claims.scope as string}".` : `scope is ${json(claims.scope)}.`,
      'draft-04 §3.1, RFC 6749 §3.3',
    );
  }
  if (claims.scopes !== undefined)
    add(
      'scope.legacy',
      'warning',
      false,
      'No "scopes" array (draft-parecki-00 shape)',
      'A "scopes" claim is present; since draft-parecki-01 the claim is "scope", a space-delimited string.',
      'draft-04 §3.1',
    );
  if (claims.email !== undefined)
    add(
      'email.minimal',
      'info',
      false,
      'Minimal personal data',
      'Carries email: RECOMMENDED for linking, but include it only when the AS needs it.',
      'EMA §7.4.3, draft-04 §3.1',
    );
  if (claims.cnf !== undefined) {
    const cnf = claims.cnf as Record<string, unknown> | null;
    const ok = typeof cnf === 'object' && cnf !== null && isNonEmptyString(cnf.jkt);
    add(
      'cnf',
      'error',
      ok,
      'cnf carries a jkt (DPoP key thumbprint)',
      ok ? 'Bound to a DPoP key: the AS must require a matching DPoP proof.' : `cnf is ${json(cnf)}.`,
      'draft-04 §9.8.1, RFC 9449 §6.1',
    );
  }
  if (claims.sub_id !== undefined) {
    const s = claims.sub_id as Record<string, unknown> | null;
    const ok =
      typeof s === 'object' &&
      s !== null &&
      isNonEmptyString(s.format) &&
      (s.format !== 'saml-nameid' || (isNonEmptyString(s.issuer) && isNonEmptyString(s.nameid)));
    add(
      'sub_id',
      'error',
      ok,
      'sub_id has a format; saml-nameid has issuer and nameid',
      ok ? `sub_id format ${String(s?.format)}.` : `sub_id is ${json(s)}.`,
      'draft-04 §3.2, RFC 9493',
    );
  }
  if (claims.nonce !== undefined || claims.at_hash !== undefined)
    add(
      'not_id_token',
      'warning',
      false,
      'Not an ID token in disguise',
      'Carries nonce/at_hash, which belong to ID tokens; an ID-JAG is minted fresh by token exchange.',
      'draft-04 §3.1, OIDC Core §2',
    );

  return { decoded: true, isIdJag, header, claims, findings, summary: summarise(findings) };
}

function summarise(findings: LintFinding[]): Record<LintLevel, number> {
  const summary: Record<LintLevel, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) if (!f.ok) summary[f.level] += 1;
  return summary;
}

function when(t: number, now: number): string {
  const d = t - now;
  const iso = new Date(t * 1000).toISOString();
  return d >= 0 ? `${iso} (in ${d}s)` : `${iso} (${-d}s ago)`;
}

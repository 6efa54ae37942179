/**
 * The client scorecard's checks: what each one asks of a client, why, and the clause — the clean
 * run's checks (the token-exchange parameters, RFC 8693 / draft-04 §4.3.1 / EMA §4; client
 * authentication at the right party, draft-04 §5; a fresh ID-JAG per jwt-bearer request, EMA §7.4.2;
 * the bearer in the Authorization header, RFC 6750 §2.1, MCP-AUTHZ) and one per IdP fault switch.
 * facts.ts reads the flow events (docs/decisions.md §5); grade.ts grades a run against these.
 */
import { TOKEN_TYPE_ID_JAG } from '@xaa/protocol';
import type { FaultKind } from '../idp.ts';
import type { CaseLevel } from '../report/types.ts';

export interface ClientCheck {
  id: string;
  title: string;
  group: string;
  level: CaseLevel;
  expected: string;
  why: string;
  specRef: string;
}

export const CLEAN_CHECKS = {
  run: {
    id: 'run.clean',
    title: 'The command succeeds against a well-behaved playground',
    group: 'run',
    level: 'must',
    expected: 'exit 0, a token exchange, a jwt-bearer grant and an MCP call',
    why: 'Every other check reads what this run sent; if the client cannot complete the flow, they have nothing to grade.',
    specRef: 'draft-04 §4.3, §5; RFC 8693 §2.1; RFC 7523 §2.1',
  },
  params: {
    id: 'exchange.params',
    title: 'Token exchange asks for an ID-JAG with a valid subject token type',
    group: 'exchange',
    level: 'must',
    expected: `requested_token_type=${TOKEN_TYPE_ID_JAG}, subject_token_type id_token (or refresh_token / saml2)`,
    why: 'The IdP only mints ID-JAGs for requests that say so; a wrong or missing type is refused or, worse, answered with a different token.',
    specRef: 'draft-04 §4.3.1, RFC 8693 §2.1',
  },
  audience: {
    id: 'exchange.audience',
    title: 'audience is the resource AS issuer, exactly',
    group: 'exchange',
    level: 'must',
    expected: 'audience = the issuer of the AS in the server’s PRM, byte for byte',
    why: 'The ID-JAG is addressed to that AS; a URL with a trailing slash, the token endpoint or the MCP URL instead of the issuer gets refused.',
    specRef: 'EMA §4, draft-04 §4.3.1, RFC 8414 §3.3',
  },
  resource: {
    id: 'exchange.resource',
    title: 'resource is the MCP server’s PRM resource',
    group: 'exchange',
    level: 'must',
    expected: 'resource = the RFC 9728 resource of the server it then calls',
    why: 'The resource binds the ID-JAG and the access token to one MCP server; the IdP checks the (audience, resource) pair.',
    specRef: 'EMA §4.3, EMA §7.6.1, RFC 8707 §2',
  },
  idpAuth: {
    id: 'auth.idp-credentials',
    title: 'The client authenticates at the IdP with its IdP registration',
    group: 'client-auth',
    level: 'must',
    expected: 'exchanges authenticated as the IdP client; no invalid_client at the IdP',
    why: 'The client has two registrations; using the AS credentials at the IdP fails, and a secret sent to the wrong party is a leaked secret.',
    specRef: 'draft-04 §5, EMA §7.7',
  },
  asAuth: {
    id: 'auth.as-credentials',
    title: 'The client authenticates at the AS with its AS registration',
    group: 'client-auth',
    level: 'must',
    expected: 'jwt-bearer requests authenticated as the client’s id at that AS (= the ID-JAG client_id), never its IdP id',
    why: 'The ID-JAG names the client’s id at the AS; the AS refuses the IdP credentials (invalid_client), and sending them there leaks them.',
    specRef: 'draft-04 §4.4.1, §5',
  },
  fresh: {
    id: 'bearer.fresh-id-jag',
    title: 'A fresh ID-JAG for every jwt-bearer request',
    group: 'bearer',
    level: 'must',
    expected: 'each jwt-bearer request carries an ID-JAG with a jti not seen before, minted in this run',
    why: 'ID-JAGs are single-use; a client that caches and re-presents one is refused by every EMA-conformant AS.',
    specRef: 'EMA §7.4.2, docs/decisions.md §4',
  },
  rightAs: {
    id: 'bearer.right-as',
    title: 'Each ID-JAG goes only to the AS it names',
    group: 'bearer',
    level: 'must',
    expected: 'the ID-JAG aud = the issuer of the AS it was presented to',
    why: 'Presenting a grant to another AS leaks it to a party it was not meant for.',
    specRef: 'draft-04 §4.4, EMA §7.4.1',
  },
  header: {
    id: 'mcp.bearer-header',
    title: 'The access token travels only in the Authorization header',
    group: 'mcp',
    level: 'must',
    expected: 'MCP calls after the token succeed (the server accepts the header only); none refused for a missing token',
    why: 'Tokens in URLs or bodies end up in logs and caches; MCP servers accept only the Authorization header.',
    specRef: 'MCP-AUTHZ (token usage), RFC 6750 §2.1, §5.3',
  },
} as const satisfies Record<string, ClientCheck>;

/** What each fault asks of the client, and how it is graded. */
export const FAULT_CHECKS: Record<FaultKind, ClientCheck & { badIdJag: boolean }> = {
  typ: {
    id: 'fault.typ',
    title: 'ID-JAG with the wrong typ',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'fails cleanly (non-zero exit), no loop',
    why: 'A client that retries a refused grant forever hammers the IdP and the AS; one that reports success without a token hides the failure.',
    specRef: 'draft-04 §4.4.1, RFC 8725 §3.11',
  },
  aud: {
    id: 'fault.aud',
    title: 'ID-JAG for another audience',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'refuses it (aud ≠ the AS issuer) or fails cleanly, no loop',
    why: 'A client can see the aud is not the AS it is about to call; sending the grant anyway hands it to a party it was not meant for.',
    specRef: 'draft-04 §4.4.1',
  },
  expired: {
    id: 'fault.expired',
    title: 'Expired ID-JAG',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'fails cleanly (non-zero exit), no loop',
    why: 'Clock trouble or a slow hop must end in a clear error, not a retry storm.',
    specRef: 'RFC 7523 §3 (4), EMA §7.4.2',
  },
  missing_jti: {
    id: 'fault.missing_jti',
    title: 'ID-JAG without jti',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'fails cleanly (non-zero exit), no loop',
    why: 'The AS refuses a grant it cannot make single-use; the client must surface that, not loop.',
    specRef: 'draft-04 §3.1, EMA §7.4.2',
  },
  unknown_kid: {
    id: 'fault.unknown_kid',
    title: 'ID-JAG signed with an unknown key',
    group: 'fault',
    level: 'must',
    badIdJag: true,
    expected: 'fails cleanly (non-zero exit), no loop',
    why: 'A key rotation gone wrong at the IdP must produce a clear failure, not a retry storm.',
    specRef: 'EMA §7.4.1',
  },
  slow: {
    id: 'fault.slow',
    title: 'Slow IdP',
    group: 'fault',
    level: 'must',
    badIdJag: false,
    expected: 'waits and succeeds; no duplicate exchanges',
    why: 'A few seconds of IdP latency is normal in an enterprise; a client with a too-short timeout, or one that fires parallel retries, fails users for nothing.',
    specRef: 'RFC 6749 §5',
  },
  server_error: {
    id: 'fault.server_error',
    title: 'IdP answers 5xx (503)',
    group: 'fault',
    level: 'must',
    badIdJag: false,
    expected: 'fails cleanly (non-zero exit), a few retries at most, nothing sent to the AS',
    why: 'Retrying an outage without bound makes it worse; without an ID-JAG there is nothing to present to the AS.',
    specRef: 'RFC 6749 §5.2',
  },
  access_denied: {
    id: 'fault.access_denied',
    title: 'Policy denies the exchange',
    group: 'fault',
    level: 'must',
    badIdJag: false,
    expected: 'reports the denial (non-zero exit) without retrying the exchange',
    why: 'A policy decision does not change on retry; asking again only fills the audit log. The user needs the message, and IT decides.',
    specRef: 'RFC 8693 §2.2.2, RFC 6749 §5.2',
  },
};

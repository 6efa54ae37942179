/**
 * The official MCP conformance suite's client scenario `auth/enterprise-managed-authorization`
 * (SEP-990 / EMA): its mock IdP checks the token exchange (RFC 8693, `audience`, `resource`,
 * `requested_token_type`, `subject_token_type`), its mock AS the jwt-bearer grant (client_secret_basic
 * with the AS registration, ID-JAG `typ`, `client_id`, `resource`), its MCP server the bearer token.
 * Run from the repo root with the workspace's own tsx (what the `conformance:client` script runs; no
 * global pnpm needed), under Node 22.
 */
import { fileURLToPath } from 'node:url';
import { conformanceBin, runNode22 } from '@xaa/conformance';
import { describe, expect, it } from 'vitest';
import { parseContext } from '../../src/conformance.ts';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

describe('MCP conformance suite, client scenario auth/enterprise-managed-authorization', () => {
  it('passes every check (EMA §4, §5; RFC 8693 §2.1; RFC 7523 §2.1)', async () => {
    const r = await runNode22(
      conformanceBin(),
      ['client', '--command', 'node_modules/.bin/tsx apps/mcp-client/src/conformance.ts', '--scenario', 'auth/enterprise-managed-authorization'],
      {
        cwd: root,
        timeoutMs: 120_000,
      },
    );
    const out = `${r.stdout}\n${r.stderr}`;
    const m = /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/.exec(out);
    expect(m, out).not.toBeNull();
    const [, passed, total, failed] = m as RegExpExecArray;
    expect(Number(failed), out).toBe(0);
    expect(Number(passed), out).toBe(Number(total));
    expect(Number(total)).toBeGreaterThanOrEqual(6);
    expect(r.code, out).toBe(0);
  }, 150_000);

  it('refuses a context without the ID token or the IdP token endpoint', () => {
    expect(() => parseContext(undefined)).toThrow(/not set/);
    expect(() => parseContext(JSON.stringify({ client_id: 'a', idp_client_id: 'b', idp_issuer: 'http://x', idp_token_endpoint: 'http://x/token' }))).toThrow(
      /idp_id_token/,
    );
    expect(
      parseContext(JSON.stringify({ client_id: 'a', idp_client_id: 'b', idp_id_token: 't', idp_issuer: 'http://x', idp_token_endpoint: 'http://x/token' }))
        .client_id,
    ).toBe('a');
  });
});

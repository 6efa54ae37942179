/** resolve-target, evaluate-policy (deny → docs/decisions.md §4 error) and mint-id-jag as units. */
import { staticDirectory } from '@xaa/policy';
import { TYP_ID_JAG } from '@xaa/protocol';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { decidePolicy, denialError } from '../../src/issuance/evaluate-policy.ts';
import { idJagClaims, mintIdJagFor, pairwiseSubject } from '../../src/issuance/mint-id-jag.ts';
import { resolveTarget, TargetRefused } from '../../src/issuance/resolve-target.ts';

const tasks = { name: 'tasks', title: 'Tasks', issuer: 'http://as.test', resources: ['http://as.test/mcp'], scopes: ['tasks.read'] };
const directory = staticDirectory({
  users: [{ id: 'u1', username: 'alice', groups: ['eng'], disabled: false }],
  clients: [{ client_id: 'agent', title: 'Agent', disabled: false }],
  servers: [tasks],
});

describe('resolve-target (EMA §7.6.1)', () => {
  it('resolves a registered pair, and the registered resource when none is sent', () => {
    expect(resolveTarget({ audience: tasks.issuer, resource: 'http://as.test/mcp' }, directory).resource).toBe('http://as.test/mcp');
    expect(resolveTarget({ audience: tasks.issuer }, directory)).toMatchObject({ resource: 'http://as.test/mcp', requestedResource: undefined });
  });

  it('refuses a missing audience (invalid_request), several targets and unknown or unpaired ones (invalid_target)', () => {
    expect(() => resolveTarget({}, directory)).toThrow(expect.objectContaining({ error: 'invalid_request' }));
    expect(() => resolveTarget({ audience: [tasks.issuer, tasks.issuer] }, directory)).toThrow(expect.objectContaining({ error: 'invalid_target' }));
    expect(() => resolveTarget({ audience: tasks.issuer, resource: ['a', 'b'] }, directory)).toThrow(expect.objectContaining({ error: 'invalid_target' }));
    expect(() => resolveTarget({ audience: 'http://other.test' }, directory)).toThrow(TargetRefused);
    expect(() => resolveTarget({ audience: tasks.issuer, resource: 'http://as.test/other' }, directory)).toThrow(
      expect.objectContaining({ rule: 'target:resource_not_paired' }),
    );
  });
});

describe('evaluate-policy → docs/decisions.md §4 errors', () => {
  const connection = {
    id: 'c1',
    client: 'agent',
    server: 'tasks',
    issuer: tasks.issuer,
    resource: 'http://as.test/mcp',
    remote_client_id: 'agent-at-tasks',
    scopes: ['tasks.read'],
    audience: { kind: 'groups' as const, groups: ['ops'] },
    ttl: 300,
    enabled: true,
  };
  const input = { userId: 'u1', clientId: 'agent', audience: tasks.issuer, resource: 'http://as.test/mcp', scopes: undefined };

  it('maps each deny to its error class, with a description that names the rule', () => {
    const audience = decidePolicy(input, [connection], directory, 0);
    expect(audience.effect).toBe('deny');
    if (audience.effect === 'deny')
      expect(denialError(audience)).toMatchObject({ error: 'access_denied', status: 400, code: 'ERR_POLICY_CONNECTION_AUDIENCE' });
    const scope = decidePolicy({ ...input, scopes: ['tasks.write'] }, [{ ...connection, audience: { kind: 'all' } }], directory, 0);
    if (scope.effect === 'deny') expect(denialError(scope).error).toBe('invalid_scope');
    const none = decidePolicy(input, [], directory, 0);
    if (none.effect === 'deny') expect(denialError(none)).toMatchObject({ error: 'access_denied', code: 'ERR_POLICY_NO_CONNECTION' });
  });
});

describe('mint-id-jag (draft-04 §3.1)', () => {
  const base = {
    issuer: 'http://idp.test',
    user: { id: 'u1', email: 'alice@acme.test' },
    server: { issuer: tasks.issuer, pairwise_subject: false },
    resource: 'http://as.test/mcp',
    remoteClientId: 'agent-at-tasks',
    scopes: ['tasks.read'],
    ttlSeconds: 300,
    authTime: 1_799_999_000,
    nowSeconds: 1_800_000_000,
    pairwiseSecret: 'salt',
  };

  it('builds every claim from the decision', () => {
    const c = idJagClaims(base);
    expect(c).toMatchObject({
      iss: 'http://idp.test',
      sub: 'u1',
      aud: tasks.issuer,
      client_id: 'agent-at-tasks',
      resource: 'http://as.test/mcp',
      scope: 'tasks.read',
      iat: 1_800_000_000,
      exp: 1_800_000_300,
      auth_time: 1_799_999_000,
      email: 'alice@acme.test',
    });
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('pairwise subjects are stable per AS and differ between ASes', () => {
    const c = idJagClaims({ ...base, server: { ...base.server, pairwise_subject: true } });
    expect(c.sub).toBe(pairwiseSubject('salt', 'u1', tasks.issuer));
    expect(pairwiseSubject('salt', 'u1', 'http://other.test')).not.toBe(c.sub);
  });

  it('signs with typ oauth-id-jag+jwt and the key’s kid', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const { compact } = await mintIdJagFor(base, { kid: 'k1', alg: 'ES256', key: privateKey });
    expect(decodeProtectedHeader(compact)).toEqual({ typ: TYP_ID_JAG, alg: 'ES256', kid: 'k1' });
    const pub = await importJWK(await exportJWK(publicKey), 'ES256');
    const { payload } = await jwtVerify(compact, pub, { typ: TYP_ID_JAG, currentDate: new Date(1_800_000_010_000) });
    expect(payload.aud).toBe(tasks.issuer);
  });
});

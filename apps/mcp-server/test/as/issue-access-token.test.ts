/**
 * The access token of a redemption (RFC 9068): signed with the AS key by Node's crypto, its constant
 * JOSE header encoded once per key. The token verifies with the AS's published key, decodes to exactly
 * the header and claims the flow event shows, and each key gets its own header.
 */
import { openDatabase } from '@xaa/node-kit';
import { TYP_ACCESS_TOKEN, tokenView } from '@xaa/protocol';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueAccessToken } from '../../src/as/redeem/issue-access-token.ts';
import type { ServerRuntime } from '../../src/context.ts';
import { loadOrCreateKey } from '../../src/db/keys.ts';
import { migrations } from '../../src/db/schema.ts';
import { SettingsStore } from '../../src/db/settings.ts';

async function runtime(server: string, alg: 'ES256' | 'RS256' = 'ES256') {
  const db = openDatabase(':memory:', migrations);
  const key = await loadOrCreateKey(db, server, 1000, alg);
  return {
    def: { issuer: `https://${server}.example` },
    key,
    settings: new SettingsStore(db, server),
    nowSeconds: () => Math.floor(Date.now() / 1000),
  } as unknown as ServerRuntime;
}

const input = {
  userId: 'u-1',
  clientId: 'acme',
  resource: 'https://tasks.example/mcp',
  scopes: ['tasks.read'],
  idp: { iss: 'https://idp.example', sub: 's-1' },
  jkt: 'thumb',
};

describe('issueAccessToken', () => {
  for (const alg of ['ES256', 'RS256'] as const)
    it(`${alg}: verifies with the AS key and decodes to the header and claims it reports`, async () => {
      const rt = await runtime('tasks', alg);
      for (let i = 0; i < 2; i++) {
        const issued = await issueAccessToken(rt, input);
        const { payload, protectedHeader } = await jwtVerify(issued.access_token, rt.key.jwks, {
          typ: TYP_ACCESS_TOKEN,
          issuer: 'https://tasks.example',
          audience: input.resource,
        });
        expect(protectedHeader).toEqual({ typ: TYP_ACCESS_TOKEN, alg, kid: rt.key.kid });
        expect(protectedHeader).toEqual(issued.header);
        expect(payload).toEqual(issued.claims);
        expect(payload).toMatchObject({ sub: 'u-1', client_id: 'acme', scope: 'tasks.read', cnf: { jkt: 'thumb' }, idp_iss: 'https://idp.example' });
        const view = await tokenView('access_token', issued.access_token);
        expect(view.header).toEqual(issued.header);
        expect(view.claims).toEqual(issued.claims);
      }
    });

  it('each AS key signs with its own header (kid)', async () => {
    const [tasks, docs] = [await runtime('tasks'), await runtime('docs')];
    const a = await issueAccessToken(tasks, input);
    const b = await issueAccessToken(docs, input);
    expect(decodeProtectedHeader(a.access_token).kid).toBe(tasks.key.kid);
    expect(decodeProtectedHeader(b.access_token).kid).toBe(docs.key.kid);
    expect(tasks.key.kid).not.toBe(docs.key.kid);
  });
});

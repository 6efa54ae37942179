/**
 * The instrumented fetch: W3C `traceparent` on every request of an action (docs/decisions.md §5), client-side
 * flow events with secrets masked in the HTTP view (EMA §7.4.2: no usable token in a log), and a time
 * bound on every request.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlowLog } from '@xaa/node-kit';
import { GRANT_TYPE_TOKEN_EXCHANGE, parseTraceparent, TOKEN_TYPE_ID_JAG, TOKEN_TYPE_ID_TOKEN } from '@xaa/protocol';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../src/action.ts';
import { instrumentedFetch } from '../../src/http.ts';

let server: Server;
let origin: string;
const received: IncomingMessage[] = [];
let idJag = '';
let idToken = '';

beforeAll(async () => {
  const key = new TextEncoder().encode('k'.repeat(32));
  idJag = await new SignJWT({ scope: 'x.read', jti: 'j1' }).setProtectedHeader({ alg: 'HS256', typ: 'oauth-id-jag+jwt' }).sign(key);
  idToken = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256' }).sign(key);
  server = createServer((req, res) => {
    received.push(req);
    if (req.url === '/hang') return; // never answers
    if (req.url === '/token') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: idJag, issued_token_type: TOKEN_TYPE_ID_JAG, token_type: 'N_A', scope: 'x.read' }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

describe('instrumentedFetch', () => {
  it('sends the action trace with a fresh span on every request, and nothing outside an action', async () => {
    const flowLog = new FlowLog();
    const f = instrumentedFetch({ timeoutMs: 2000 });
    received.length = 0;
    const traceId = await runAction({ action: 't', flowLog, idpIssuer: origin }, async (ctx) => {
      await f(`${origin}/a`);
      await f(`${origin}/b`);
      return ctx.traceId;
    });
    await f(`${origin}/c`);
    const parents = received.map((r) => parseTraceparent(r.headers.traceparent as string | undefined));
    expect(parents[0]?.traceId).toBe(traceId);
    expect(parents[1]?.traceId).toBe(traceId);
    expect(parents[0]?.spanId).not.toBe(parents[1]?.spanId);
    expect(parents[2]).toBeUndefined();
  });

  it('emits exchange.request with token views and a redacted HTTP view', async () => {
    const flowLog = new FlowLog();
    const f = instrumentedFetch({ timeoutMs: 2000 });
    await runAction({ action: 't', flowLog, idpIssuer: origin, subject: { user: 'alice' } }, () =>
      f(`${origin}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: GRANT_TYPE_TOKEN_EXCHANGE,
          subject_token: idToken,
          subject_token_type: TOKEN_TYPE_ID_TOKEN,
          audience: 'https://as.example',
          client_secret: 'very-secret-value',
        }).toString(),
      }),
    );
    const [e] = flowLog.recent();
    expect(e).toMatchObject({
      party: 'client',
      step: 'exchange.request',
      outcome: 'ok',
      subject: { user: 'alice' },
      data: { audience: 'https://as.example', grantedScope: 'x.read' },
    });
    expect(e?.tokens?.map((t) => [t.role, t.claims.jti ?? t.claims.sub])).toEqual([
      ['id_token', 'alice'],
      ['id_jag', 'j1'],
    ]);
    const http = JSON.stringify(e?.http);
    expect(http).not.toContain('very-secret-value');
    expect(http).not.toContain(idToken);
    expect(http).not.toContain(idJag);
  });

  it('bounds a request that never answers', async () => {
    const f = instrumentedFetch({ timeoutMs: 300 });
    const t0 = Date.now();
    await expect(f(`${origin}/hang`)).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

import { gzipSync } from 'node:zlib';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonErrors } from '../src/koa.ts';
import { listen, type RunningServer } from '../src/server.ts';

describe('jsonErrors', () => {
  let server: RunningServer;
  let url: string;
  beforeAll(async () => {
    const app = new Koa();
    app.use(jsonErrors('test'));
    app.use(bodyParser({ enableTypes: ['json'] }));
    app.use((ctx) => {
      if (ctx.path === '/boom') throw new Error('internal detail');
      ctx.body = { got: ctx.request.body };
    });
    server = await listen(app.callback(), 0, '127.0.0.1', 'test');
    url = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  const post = (path: string, body: Uint8Array | string, encoding?: string) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(encoding ? { 'content-encoding': encoding } : {}) }, body });

  it.each(['gzip', 'deflate', 'br'])('answers a body that is not really %s-encoded with 400, not 500', async (encoding) => {
    const res = await post('/', '{"a":1}', encoding);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'The request body does not match its Content-Encoding.' });
  });

  it('still decodes a really gzip-encoded body', async () => {
    const res = await post('/', new Uint8Array(gzipSync('{"a":1}')), 'gzip');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ got: { a: 1 } });
  });

  it('keeps an unknown failure a 500 without internals', async () => {
    const res = await post('/boom', '{}');
    expect(res.status).toBe(500);
    expect(JSON.stringify(await res.json())).not.toContain('internal detail');
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type RunningServer } from '@xaa/node-kit';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spaRoutes } from '../../src/server/spa.ts';

describe('SPA static routes', () => {
  let server: RunningServer;
  let url: string;
  beforeAll(async () => {
    const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'assets', 'a.js'), 'x');
    const app = new Koa();
    app.use(spaRoutes(dist));
    server = await listen(app.callback(), 0, '127.0.0.1', 'spa-test');
    url = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(['/connections/%E0%A4%A', '/%', '/assets/%C0'])('a path that is not valid percent-encoding (%s) → 400, not 500', async (path) => {
    expect((await fetch(`${url}${path}`)).status).toBe(400);
  });

  it('serves assets and falls back to index.html for client routes', async () => {
    expect(await (await fetch(`${url}/assets/a.js`)).text()).toBe('x');
    const page = await fetch(`${url}/connections/x%20y`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>console</title>');
    // Encoded traversal never leaves dist: it is just another client route.
    expect(await (await fetch(`${url}/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd`)).text()).not.toContain('root:');
  });
});

/**
 * Architecture pins: the browser bundle imports nothing Node-only and no other app; the
 * backend does not reach into the SPA; no token is ever put in browser storage.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
const imports = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1] as string);

const all = files(src);
const server = all.filter((f) => relative(src, f).startsWith('server'));
const web = all.filter((f) => !server.includes(f));

describe('console boundaries', () => {
  it('the SPA imports no node:* module, no Node-only package and no other app', () => {
    const bad = web.flatMap((f) =>
      imports(f)
        .filter(
          (s) =>
            s.startsWith('node:') || /^@xaa\/(node-kit|topology|idp|mcp-server|mcp-client|cli)/.test(s) || s.includes('/apps/') || s.includes('../server/'),
        )
        .map((s) => `${relative(src, f)} → ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('the backend imports no SPA module', () => {
    const bad = server.flatMap((f) =>
      imports(f)
        .filter(
          (s) =>
            s.startsWith('../') &&
            !s.startsWith('../server') &&
            !/^\.\.\/(config|sessions|idp-client|admin-apis|admin-tokens|json-body|pages|sse|spa|app)\.ts$/.test(s),
        )
        .map((s) => `${relative(src, f)} → ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it('the SPA never writes to localStorage or sessionStorage', () => {
    const bad = web.filter((f) => /\b(localStorage|sessionStorage)\s*\.\s*setItem/.test(readFileSync(f, 'utf8'))).map((f) => relative(src, f));
    expect(bad).toEqual([]);
  });
});

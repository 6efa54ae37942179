/**
 * Serves the Vite-built SPA from apps/console/dist, building it first when it is missing (a fresh
 * clone works without a separate build step). Hashed assets are cached for a year; index.html never.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Context, Middleware, Next } from 'koa';

/**
 * The console package's folder, found through the package's own name, so it is right both when this
 * module runs from source and when it runs inside the bundled `xaa` CLI (apps/cli/dist).
 */
export const CONSOLE_ROOT = resolve(createRequire(import.meta.url).resolve('@xaa/console/package.json'), '..');
export const DIST = join(CONSOLE_ROOT, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

let building: Promise<void> | undefined;

/** Newest modification time among the SPA's sources (everything but the backend), index.html and the Vite config. */
function newestSource(): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (p !== join(CONSOLE_ROOT, 'src', 'server')) walk(p);
      } else newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(CONSOLE_ROOT, 'src'));
  for (const f of ['index.html', 'vite.config.ts']) newest = Math.max(newest, statSync(join(CONSOLE_ROOT, f)).mtimeMs);
  return newest;
}

/** True when the build is missing or older than the SPA's sources (a pull or an edit since the last build). */
export function needsBuild(outDir = DIST): boolean {
  const index = join(outDir, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < newestSource();
}

/** `vite build` programmatically when the build is missing or stale, once per process at a time. */
export function ensureBuilt(options: { quiet?: boolean; force?: boolean; outDir?: string } = {}): Promise<void> {
  const outDir = options.outDir ?? DIST;
  if (!options.force && !needsBuild(outDir)) return Promise.resolve();
  building ??= (async () => {
    const { build } = await import('vite');
    await build({
      root: CONSOLE_ROOT,
      configFile: join(CONSOLE_ROOT, 'vite.config.ts'),
      logLevel: options.quiet ? 'error' : 'info',
      build: { outDir, emptyOutDir: true },
    });
  })().finally(() => {
    building = undefined;
  });
  return building;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function spaRoutes(dist = DIST): Middleware {
  // Read on each request (it is small): after a rebuild it must name the assets now on disk.
  const indexHtml = () => readFileSync(join(dist, 'index.html'), 'utf8');
  return async function spa(ctx: Context, next: Next) {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    if (ctx.path.startsWith('/api/') || ctx.path.startsWith('/auth/')) return next();
    let decoded: string;
    try {
      decoded = decodeURIComponent(ctx.path);
    } catch {
      ctx.status = 400;
      ctx.body = 'Bad request: the path is not valid percent-encoding.';
      return;
    }
    const rel = normalize(decoded).replace(/^([/\\])+/, '');
    const file = resolve(dist, rel);
    if ((file === dist || file.startsWith(dist + sep)) && rel && existsSync(file) && statSync(file).isFile()) {
      ctx.type = TYPES[extname(file)] ?? 'application/octet-stream';
      ctx.set('Cache-Control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      ctx.set(SECURITY_HEADERS);
      ctx.body = await readFile(file);
      return;
    }
    if (rel.startsWith('assets/') || extname(rel)) {
      ctx.status = 404;
      ctx.body = 'Not found';
      return;
    }
    // Client-side routes: the SPA decides.
    ctx.type = 'html';
    ctx.set('Cache-Control', 'no-cache');
    ctx.set(SECURITY_HEADERS);
    ctx.body = indexHtml();
  };
}

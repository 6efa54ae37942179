/** Development only: the SPA through Vite's middleware mode (hot reload), behind the same backend. */
import { join } from 'node:path';
import type { Context, Middleware, Next } from 'koa';
import { CONSOLE_ROOT } from './spa.ts';

export async function devMiddleware(): Promise<{ middleware: Middleware; close: () => Promise<void> }> {
  const { createServer } = await import('vite');
  const vite = await createServer({ root: CONSOLE_ROOT, configFile: join(CONSOLE_ROOT, 'vite.config.ts'), server: { middlewareMode: true }, appType: 'spa' });
  const middleware = async (ctx: Context, next: Next) => {
    if (ctx.path.startsWith('/api/') || ctx.path.startsWith('/auth/')) return next();
    ctx.respond = false;
    await new Promise<void>((resolve) => {
      vite.middlewares(ctx.req, ctx.res, () => {
        ctx.respond = true;
        resolve();
      });
      ctx.res.on('finish', () => resolve());
    });
    if (ctx.respond) return next();
  };
  return { middleware, close: () => vite.close() };
}

/** Admin API: signing keys (list, rotate, choose the algorithm; docs/decisions.md §4). */
import type Router from '@koa/router';
import { type KeysView, rotateBody } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import { type AdminDeps, handle, parse, recordChange } from './common.ts';

export function keyRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  const view = (): KeysView => {
    const current = idp.keys.current();
    return {
      current_kid: current?.kid ?? null,
      current_alg: current?.alg ?? null,
      overlap_seconds: idp.keys.overlapSeconds,
      keys: idp.keys.list().map((k) => ({
        kid: k.kid,
        alg: k.alg,
        current: k.kid === current?.kid,
        created_at: k.created_at,
        retired_at: k.retired_at,
        published_until: k.retired_at === null ? null : k.retired_at + idp.keys.overlapSeconds,
        public_jwk: k.public_jwk,
      })),
    };
  };
  r.get(
    '/keys',
    handle((ctx) => {
      ctx.body = view();
    }),
  );
  r.post(
    '/keys/rotate',
    handle(async (ctx) => {
      const body = parse(rotateBody, ctx.request.body);
      const previous = idp.keys.current();
      const next = await idp.keys.rotate(body.alg);
      idp.rebuildProvider();
      recordChange(idp, ctx, `rotated the signing key (${previous?.kid ?? 'none'} → ${next.kid}, ${next.alg})`, {
        entity: 'key',
        action: 'rotate',
        id: next.kid,
        previous: previous?.kid ?? null,
        alg: next.alg,
      });
      ctx.body = view();
    }),
  );
  return r;
}

/**
 * Admin API for the IdP's DPoP settings (RFC 9449): `GET /admin/settings/dpop` and
 * `PATCH /admin/settings/dpop` with `{ "use_dpop_nonce": true }` — token-endpoint proofs must then
 * carry a nonce the IdP handed out (RFC 9449 §8). Whether a connection requires DPoP at all is the
 * connection's `require_dpop`.
 */
import type Router from '@koa/router';
import { surfaceRouter } from '@xaa/node-kit';
import { z } from 'zod';
import { dpopSettings, setDpopSettings } from '../dpop/exchange-proof.ts';
import type { AdminDeps } from './common.ts';
import { handle, parse, recordChange } from './common.ts';

export const dpopSettingsPatch = z.object({ use_dpop_nonce: z.boolean().optional() }).strict();

export function dpopRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  r.get(
    '/settings/dpop',
    handle((ctx) => {
      ctx.body = dpopSettings(idp);
    }),
  );
  r.patch(
    '/settings/dpop',
    handle((ctx) => {
      const body = parse(dpopSettingsPatch, ctx.request.body);
      const before = dpopSettings(idp);
      const after = setDpopSettings(idp, body);
      recordChange(idp, ctx, `DPoP nonces ${after.use_dpop_nonce ? 'required' : 'not required'} at the token endpoint`, {
        entity: 'settings',
        action: 'update',
        before,
        after,
      });
      ctx.body = after;
    }),
  );
  return r;
}

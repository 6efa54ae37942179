/**
 * Admin API for the fault switches: `GET /admin/faults` (the active rules and the catalogue of
 * kinds), `PUT /admin/faults` (replace the rules; `{ "faults": [] }` turns everything off). Each change
 * is an `admin.change` event; each firing is a `fault.injected` event.
 */
import type Router from '@koa/router';
import { faultsPut } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import { FAULT_KINDS } from '../faults/catalog.ts';
import { faultsOf } from '../faults/store.ts';
import { type AdminDeps, AdminProblem, handle, parse, recordChange } from './common.ts';

export function faultRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  const view = () => ({ faults: faultsOf(idp).list(), kinds: FAULT_KINDS });

  r.get(
    '/faults',
    handle((ctx) => {
      ctx.body = view();
    }),
  );

  r.put(
    '/faults',
    handle((ctx) => {
      const body = parse(faultsPut, ctx.request.body);
      for (const [i, f] of body.faults.entries()) {
        if (f.server !== undefined && !idp.directory.getServer(f.server))
          throw new AdminProblem(400, 'invalid_request', `No server ${JSON.stringify(f.server)}.`, { [`faults.${i}.server`]: 'Unknown server.' });
        if (f.delayMs !== undefined && f.kind !== 'slow')
          throw new AdminProblem(400, 'invalid_request', 'delayMs applies to the slow fault only.', { [`faults.${i}.delayMs`]: 'Only for kind "slow".' });
      }
      faultsOf(idp).replace(body.faults);
      const names = body.faults.map((f) => `${f.kind}${f.client || f.server ? ` (${[f.client, f.server].filter(Boolean).join(' → ')})` : ''}`);
      recordChange(idp, ctx, names.length ? `fault switches on: ${names.join(', ')}` : 'all fault switches off', { faults: body.faults });
      ctx.body = view();
    }),
  );

  return r;
}

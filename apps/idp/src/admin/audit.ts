/** Admin API: the audit trail — search with filters, export as CSV or JSON (claims and jti only, never a usable token). */
import type Router from '@koa/router';
import { auditQuery } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import { auditCsv } from '../audit.ts';
import { type AdminDeps, handle, parse } from './common.ts';

export function auditRoutes({ audit }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  r.get(
    '/audit',
    handle((ctx) => {
      const { format, ...query } = parse(auditQuery, ctx.query);
      const events = audit.search(query);
      if (format === 'csv') {
        ctx.type = 'text/csv; charset=utf-8';
        ctx.attachment('idp-audit.csv');
        ctx.body = auditCsv(events);
        return;
      }
      if (format === 'json') {
        ctx.attachment('idp-audit.json');
        ctx.type = 'application/json';
        ctx.body = JSON.stringify(events, null, 2);
        return;
      }
      ctx.body = { events };
    }),
  );
  return r;
}

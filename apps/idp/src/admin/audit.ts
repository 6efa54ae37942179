/** Admin API: the audit trail — search with filters, export as CSV or JSON (claims and jti only, never a usable token). */
import type Router from '@koa/router';
import { surfaceRouter } from '@xaa/node-kit';
import { z } from 'zod';
import { auditCsv } from '../audit.ts';
import { handle, parse } from './common.ts';
import type { AdminDeps } from './router.ts';

const text = z.string().max(500);
const auditQuery = z
  .object({
    step: text.optional(),
    outcome: z.enum(['ok', 'denied', 'error']).optional(),
    user: text.optional(),
    client: text.optional(),
    server: text.optional(),
    traceId: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'A W3C trace-id: 32 lowercase hex digits.')
      .optional(),
    rule: text.optional(),
    jti: text.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    q: text.optional(),
    before: text.optional(),
    limit: z.coerce.number().int().min(1).max(5000).optional(),
    format: z.enum(['csv', 'json']).optional(),
  })
  .strict();

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

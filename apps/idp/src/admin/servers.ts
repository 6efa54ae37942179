/** Admin API: MCP servers — the registered (audience = AS issuer, resource) pairs (EMA §7.6.1) with their scopes. */
import type Router from '@koa/router';
import { serverCreate, serverPatch } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import { type AdminDeps, conflict, handle, notFound, parse, recordChange } from './common.ts';

export function serverRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  const dir = idp.directory;
  const issuerTaken = (issuer: string, except?: string) => dir.listServers().some((s) => s.issuer === issuer && s.name !== except);

  r.get(
    '/servers',
    handle((ctx) => {
      ctx.body = { servers: dir.listServers() };
    }),
  );
  r.get(
    '/servers/:name',
    handle((ctx) => {
      const s = dir.getServer(ctx.params.name as string);
      if (!s) throw notFound('server', ctx.params.name as string);
      ctx.body = s;
    }),
  );
  r.post(
    '/servers',
    handle((ctx) => {
      const body = parse(serverCreate, ctx.request.body);
      if (dir.getServer(body.name)) throw conflict(`A server named ${body.name} exists already.`);
      if (issuerTaken(body.issuer)) throw conflict(`Another server already uses the issuer ${body.issuer}.`);
      const created = dir.upsertServer({
        name: body.name,
        title: body.title,
        issuer: body.issuer,
        resource: body.resource,
        scopes: body.scopes,
        xaa: body.xaa ?? true,
        pairwise_subject: body.pairwise_subject ?? false,
        admin_url: body.admin_url ?? null,
      });
      recordChange(idp, ctx, `registered server ${created.title} (${created.issuer})`, { entity: 'server', action: 'create', id: created.name });
      ctx.status = 201;
      ctx.body = created;
    }),
  );
  r.patch(
    '/servers/:name',
    handle((ctx) => {
      const name = ctx.params.name as string;
      const current = dir.getServer(name);
      if (!current) throw notFound('server', name);
      const body = parse(serverPatch, ctx.request.body);
      if (body.issuer && issuerTaken(body.issuer, name)) throw conflict(`Another server already uses the issuer ${body.issuer}.`);
      const updated = dir.upsertServer({
        ...current,
        ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
      } as typeof current);
      recordChange(idp, ctx, `updated server ${name} (${Object.keys(body).join(', ') || 'no fields'})`, {
        entity: 'server',
        action: 'update',
        id: name,
        fields: Object.keys(body),
      });
      ctx.body = updated;
    }),
  );
  r.delete(
    '/servers/:name',
    handle((ctx) => {
      const name = ctx.params.name as string;
      if (!dir.deleteServer(name)) throw notFound('server', name);
      recordChange(idp, ctx, `deleted server ${name}`, { entity: 'server', action: 'delete', id: name });
      ctx.status = 204;
    }),
  );
  return r;
}

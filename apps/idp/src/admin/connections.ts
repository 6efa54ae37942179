/**
 * Admin API: connections — client app → MCP server, allowed scopes, audience (all / groups / users),
 * ID-JAG lifetime, enabled. A change applies to the very next token exchange.
 */
import type Router from '@koa/router';
import type { Audience } from '@xaa/admin-contracts';
import { type Connection, connectionCreate, connectionPatch, connectionsQuery } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import { defaults } from '../config.ts';
import type { ConnectionRecord } from '../db/directory.ts';
import { type AdminDeps, AdminProblem, handle, notFound, parse, recordChange } from './common.ts';

export function connectionRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  const dir = idp.directory;
  const view = (c: ConnectionRecord): Connection => {
    const server = dir.getServer(c.server);
    const app = dir.getApp(c.client_id);
    return {
      ...c,
      client_title: app?.title ?? c.client_id,
      server_title: server?.title ?? c.server,
      issuer: server?.issuer ?? null,
      resource: server?.resource ?? null,
      client_id_at_server: app?.registrations[c.server] ?? c.client_id,
    };
  };
  const checkScopes = (server: string, scopes: string[] | undefined) => {
    const s = dir.getServer(server);
    if (!s) throw new AdminProblem(400, 'invalid_request', `Unknown server ${server}.`, { server: 'Unknown server.' });
    const unknown = (scopes ?? []).filter((x) => !s.scopes.includes(x));
    if (unknown.length)
      throw new AdminProblem(400, 'invalid_request', `Scopes not offered by ${server}: ${unknown.join(' ')}.`, {
        scopes: `Not offered by ${server}: ${unknown.join(' ')}`,
      });
  };
  const checkAudience = (audience: Audience | undefined) => {
    if (audience?.kind === 'groups') {
      const unknown = audience.groups.filter((g) => !dir.getGroup(g));
      if (unknown.length)
        throw new AdminProblem(400, 'invalid_request', `Unknown groups: ${unknown.join(', ')}.`, {
          'audience.groups': `Unknown groups: ${unknown.join(', ')}`,
        });
    }
  };

  r.get(
    '/connections',
    handle((ctx) => {
      const q = parse(connectionsQuery, ctx.query);
      ctx.body = { connections: dir.listConnections(q).map(view) };
    }),
  );
  r.get(
    '/connections/:id',
    handle((ctx) => {
      const c = dir.getConnection(ctx.params.id as string);
      if (!c) throw notFound('connection', ctx.params.id as string);
      ctx.body = view(c);
    }),
  );
  r.post(
    '/connections',
    handle((ctx) => {
      const body = parse(connectionCreate, ctx.request.body);
      const app = dir.getApp(body.client_id);
      if (app?.kind !== 'app') throw new AdminProblem(400, 'invalid_request', `Unknown app ${body.client_id}.`, { client_id: 'Unknown app.' });
      checkScopes(body.server, body.scopes);
      checkAudience(body.audience);
      const created = dir.createConnection({
        client_id: body.client_id,
        server: body.server,
        scopes: body.scopes,
        audience: body.audience,
        ttl: body.ttl ?? defaults.idJagTtl,
        enabled: body.enabled ?? true,
        max_auth_age: body.max_auth_age ?? null,
        require_dpop: body.require_dpop ?? false,
      });
      recordChange(idp, ctx, `connected ${app.title} → ${body.server} (${body.scopes.join(' ')})`, { entity: 'connection', action: 'create', id: created.id });
      ctx.status = 201;
      ctx.body = view(created);
    }),
  );
  r.patch(
    '/connections/:id',
    handle((ctx) => {
      const id = ctx.params.id as string;
      const current = dir.getConnection(id);
      if (!current) throw notFound('connection', id);
      const body = parse(connectionPatch, ctx.request.body);
      checkScopes(current.server, body.scopes);
      checkAudience(body.audience);
      const updated = dir.updateConnection(id, Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))) as ConnectionRecord;
      recordChange(idp, ctx, `updated connection ${current.client_id} → ${current.server} (${Object.keys(body).join(', ') || 'no fields'})`, {
        entity: 'connection',
        action: 'update',
        id,
        fields: Object.keys(body),
        before: {
          scopes: current.scopes,
          audience: current.audience,
          ttl: current.ttl,
          enabled: current.enabled,
          max_auth_age: current.max_auth_age,
          require_dpop: current.require_dpop,
        },
        after: {
          scopes: updated.scopes,
          audience: updated.audience,
          ttl: updated.ttl,
          enabled: updated.enabled,
          max_auth_age: updated.max_auth_age,
          require_dpop: updated.require_dpop,
        },
      });
      ctx.body = view(updated);
    }),
  );
  r.delete(
    '/connections/:id',
    handle((ctx) => {
      const id = ctx.params.id as string;
      if (!dir.deleteConnection(id)) throw notFound('connection', id);
      recordChange(idp, ctx, `deleted connection ${id}`, { entity: 'connection', action: 'delete', id });
      ctx.status = 204;
    }),
  );
  return r;
}

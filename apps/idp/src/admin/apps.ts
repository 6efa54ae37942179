/**
 * Admin API: client apps registered at the IdP, including their registrations (client ids) at each
 * resource AS — the draft-04 §5 mapping that fills the ID-JAG `client_id`. An app may be registered
 * public (`token_endpoint_auth_method: none`) or use `private_key_jwt` with a JWKS.
 */
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import { type App, appCreate, appPatch, registrationPut } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import type { AppRecord } from '../db/directory.ts';
import { type AdminDeps, AdminProblem, conflict, handle, notFound, parse, recordChange } from './common.ts';

/** The app as the admin API shows it (secrets included: this is a sandbox, like playground.json). */
export function appView(a: AppRecord): App {
  const { created_at, updated_at, ...rest } = a;
  return { ...rest, created_at, updated_at };
}

export function appRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  const dir = idp.directory;
  const app = (id: string) => {
    const a = dir.getApp(id);
    if (!a) throw notFound('app', id);
    return a;
  };
  const checkRegistrations = (regs: Record<string, string> | undefined) => {
    const unknown = Object.keys(regs ?? {}).filter((s) => !dir.getServer(s));
    if (unknown.length)
      throw new AdminProblem(400, 'invalid_request', `Unknown servers: ${unknown.join(', ')}.`, { registrations: `Unknown servers: ${unknown.join(', ')}` });
  };
  const checkAuth = (method: AppRecord['token_endpoint_auth_method'], keys: unknown) => {
    if (method === 'private_key_jwt' && !keys)
      throw new AdminProblem(400, 'invalid_request', 'private_key_jwt needs a jwks.', { jwks: 'Required for private_key_jwt.' });
  };

  r.get(
    '/apps',
    handle((ctx) => {
      ctx.body = { apps: dir.listApps().map(appView) };
    }),
  );
  r.get(
    '/apps/:id',
    handle((ctx) => {
      ctx.body = appView(app(ctx.params.id as string));
    }),
  );
  r.post(
    '/apps',
    handle((ctx) => {
      const body = parse(appCreate, ctx.request.body);
      const clientId = body.client_id ?? `app-${randomBytes(6).toString('hex')}`;
      if (dir.getApp(clientId)) throw conflict(`An app with client_id ${clientId} exists already.`);
      const method = body.token_endpoint_auth_method ?? 'client_secret_basic';
      checkAuth(method, body.jwks);
      checkRegistrations(body.registrations);
      const created = dir.upsertApp({
        client_id: clientId,
        title: body.title,
        kind: 'app',
        client_secret: method === 'client_secret_basic' || method === 'client_secret_post' ? randomBytes(24).toString('base64url') : null,
        token_endpoint_auth_method: method,
        redirect_uris: body.redirect_uris ?? [],
        post_logout_redirect_uris: body.post_logout_redirect_uris ?? [],
        jwks: (body.jwks as AppRecord['jwks']) ?? null,
        token_exchange: body.token_exchange ?? true,
        disabled: false,
        registrations: body.registrations ?? {},
      });
      recordChange(idp, ctx, `registered app ${created.title} (${created.client_id}, ${method})`, { entity: 'app', action: 'create', id: created.client_id });
      ctx.status = 201;
      ctx.body = appView(created);
    }),
  );
  r.patch(
    '/apps/:id',
    handle((ctx) => {
      const current = app(ctx.params.id as string);
      const body = parse(appPatch, ctx.request.body);
      checkRegistrations(body.registrations);
      const method = body.token_endpoint_auth_method ?? current.token_endpoint_auth_method;
      const nextJwks = body.jwks === undefined ? current.jwks : (body.jwks as AppRecord['jwks']);
      checkAuth(method, nextJwks);
      const needsSecret = method === 'client_secret_basic' || method === 'client_secret_post';
      const updated = dir.upsertApp({
        ...current,
        ...(body.title !== undefined ? { title: body.title } : {}),
        ...(body.redirect_uris !== undefined ? { redirect_uris: body.redirect_uris } : {}),
        ...(body.post_logout_redirect_uris !== undefined ? { post_logout_redirect_uris: body.post_logout_redirect_uris } : {}),
        ...(body.token_exchange !== undefined ? { token_exchange: body.token_exchange } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        ...(body.registrations !== undefined ? { registrations: body.registrations } : {}),
        token_endpoint_auth_method: method,
        jwks: nextJwks,
        client_secret: needsSecret ? (current.client_secret ?? randomBytes(24).toString('base64url')) : current.client_secret,
      });
      recordChange(idp, ctx, `updated app ${current.client_id} (${Object.keys(body).join(', ') || 'no fields'})`, {
        entity: 'app',
        action: 'update',
        id: current.client_id,
        fields: Object.keys(body),
      });
      ctx.body = appView(updated);
    }),
  );
  r.put(
    '/apps/:id/registrations/:server',
    handle((ctx) => {
      const current = app(ctx.params.id as string);
      const server = ctx.params.server as string;
      if (!dir.getServer(server)) throw notFound('server', server);
      const body = parse(registrationPut, ctx.request.body);
      const updated = dir.upsertApp({ ...current, registrations: { ...current.registrations, [server]: body.client_id } });
      recordChange(idp, ctx, `mapped ${current.client_id} to client ${body.client_id} at ${server}`, {
        entity: 'app',
        action: 'map',
        id: current.client_id,
        server,
      });
      ctx.body = appView(updated);
    }),
  );
  r.delete(
    '/apps/:id',
    handle((ctx) => {
      const current = app(ctx.params.id as string);
      if (current.kind !== 'app') throw new AdminProblem(409, 'conflict', 'The console and ops clients cannot be deleted.');
      dir.deleteApp(current.client_id);
      recordChange(idp, ctx, `deleted app ${current.client_id}`, { entity: 'app', action: 'delete', id: current.client_id });
      ctx.status = 204;
    }),
  );
  return r;
}

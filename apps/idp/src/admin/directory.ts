/** Admin API: users, groups, sessions (list, revoke per user) and a user's effective access. */
import type Router from '@koa/router';
import { groupCreate, groupPatch, revokeBody, sessionsQuery, type User, userCreate, userPatch } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import { evaluate } from '@xaa/policy';
import type { UserRecord } from '../db/directory.ts';
import { hashPassword } from '../passwords.ts';
import { listSessions, revokeUser } from '../revocation.ts';
import { type AdminDeps, AdminProblem, actorOf, conflict, handle, notFound, parse, recordChange } from './common.ts';

export function userView(u: UserRecord): User {
  return {
    id: u.id,
    username: u.username,
    email: u.email,
    name: u.name,
    groups: u.groups,
    admin: u.admin,
    disabled: u.disabled,
    not_before: u.not_before || null,
    created_at: u.created_at,
    updated_at: u.updated_at,
  };
}

export function directoryRoutes({ idp, audit }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  const dir = idp.directory;
  const user = (id: string) => {
    const u = dir.resolveUser(id);
    if (!u) throw notFound('user', id);
    return u;
  };
  // Emails are unique, case-insensitively (an AS may link accounts by a verified email).
  const emailFree = (email: string, exceptId?: string) => {
    const holder = dir.findUserByEmail(email);
    if (holder && holder.id !== exceptId) throw conflict(`Another user (${holder.username}) already has the email ${email}; emails are unique, ignoring case.`);
  };
  const checkGroups = (groups: string[] | undefined) => {
    const unknown = (groups ?? []).filter((g) => !dir.getGroup(g));
    if (unknown.length)
      throw new AdminProblem(400, 'invalid_request', `Unknown groups: ${unknown.join(', ')}.`, { groups: `Unknown groups: ${unknown.join(', ')}` });
  };

  r.get(
    '/users',
    handle((ctx) => {
      ctx.body = { users: dir.listUsers().map(userView) };
    }),
  );
  r.get(
    '/users/:id',
    handle((ctx) => {
      const u = user(ctx.params.id as string);
      ctx.body = { ...userView(u), sessions: listSessions(idp, u.id), outstanding_id_jags: audit.outstandingIdJags(u.username, Math.floor(idp.now() / 1000)) };
    }),
  );
  r.post(
    '/users',
    handle(async (ctx) => {
      const body = parse(userCreate, ctx.request.body);
      if (dir.findUserByUsername(body.username)) throw conflict(`A user named ${body.username} exists already.`);
      emailFree(body.email);
      checkGroups(body.groups);
      const created = dir.createUser({
        username: body.username,
        email: body.email,
        name: body.name,
        password_hash: await hashPassword(body.password),
        admin: body.admin ?? false,
        groups: body.groups ?? [],
      });
      recordChange(idp, ctx, `created user ${created.username}`, { entity: 'user', action: 'create', id: created.id });
      ctx.status = 201;
      ctx.body = userView(created);
    }),
  );
  r.patch(
    '/users/:id',
    handle(async (ctx) => {
      const u = user(ctx.params.id as string);
      const body = parse(userPatch, ctx.request.body);
      checkGroups(body.groups);
      if (body.email !== undefined) emailFree(body.email, u.id);
      const { password, ...rest } = body;
      const updated = dir.updateUser(u.id, { ...rest, ...(password ? { password_hash: await hashPassword(password) } : {}) }) as UserRecord;
      recordChange(idp, ctx, `updated user ${u.username} (${Object.keys(body).join(', ') || 'no fields'})`, {
        entity: 'user',
        action: 'update',
        id: u.id,
        fields: Object.keys(body),
      });
      // Disabling a user is central revocation (docs/decisions.md §7): every session and token ends now.
      if (body.disabled === true && !u.disabled) revokeUser(idp, u.id, 'user disabled', actorOf(idp, ctx), ctx.state.trace.traceId);
      // So is removing the admin role: the admin grants, their console session and every admin token end now.
      else if (body.admin === false && u.admin) revokeUser(idp, u.id, 'admin role removed', actorOf(idp, ctx), ctx.state.trace.traceId);
      ctx.body = userView(dir.getUser(u.id) ?? updated);
    }),
  );
  r.delete(
    '/users/:id',
    handle((ctx) => {
      const u = user(ctx.params.id as string);
      revokeUser(idp, u.id, 'user deleted', actorOf(idp, ctx), ctx.state.trace.traceId);
      dir.deleteUser(u.id);
      recordChange(idp, ctx, `deleted user ${u.username}`, { entity: 'user', action: 'delete', id: u.id });
      ctx.status = 204;
    }),
  );
  r.get(
    '/users/:id/sessions',
    handle((ctx) => {
      ctx.body = { sessions: listSessions(idp, user(ctx.params.id as string).id) };
    }),
  );
  r.post(
    '/users/:id/revoke-sessions',
    handle((ctx) => {
      const u = user(ctx.params.id as string);
      const body = parse(revokeBody, ctx.request.body);
      const removed = revokeUser(idp, u.id, body.reason ?? 'sessions revoked by an admin', actorOf(idp, ctx), ctx.state.trace.traceId);
      recordChange(idp, ctx, `revoked every session of ${u.username}`, { entity: 'user', action: 'revoke-sessions', id: u.id });
      ctx.body = {
        user: u.id,
        revoked: removed,
        not_before: dir.getUser(u.id)?.not_before ?? null,
        outstanding_id_jags: audit.outstandingIdJags(u.username, Math.floor(idp.now() / 1000)),
      };
    }),
  );
  r.get(
    '/users/:id/effective-access',
    handle((ctx) => {
      const u = user(ctx.params.id as string);
      const now = Math.floor(idp.now() / 1000);
      const directory = dir.policyDirectory();
      const connections = dir.policyConnections();
      const access: unknown[] = [];
      const denied: unknown[] = [];
      const seen = new Set<string>();
      for (const c of connections) {
        const key = `${c.client}|${c.issuer}|${c.resource}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // As if the user had just signed in with a client that sends DPoP proofs: step-up and DPoP
        // requirements are shown (max_auth_age, require_dpop), not applied.
        const d = evaluate(
          { user: u.id, client: c.client, audience: c.issuer, resource: c.resource, auth_time: now, dpop_jkt: 'simulated' },
          connections,
          directory,
          now,
        );
        const app = dir.getApp(c.client);
        const server = dir.getServer(c.server);
        const base = {
          app: c.client,
          app_title: app?.title ?? c.client,
          server: c.server,
          server_title: server?.title ?? c.server,
          issuer: c.issuer,
          resource: c.resource,
        };
        if (d.effect === 'allow')
          access.push({
            ...base,
            scopes: d.grantedScopes,
            rule: d.rule,
            connection: d.connection.id,
            client_id_at_server: d.connection.remote_client_id,
            reasons: d.reasons,
            ttl: d.connection.ttl,
            max_auth_age: d.connection.max_auth_age ?? null,
            require_dpop: d.connection.require_dpop === true,
          });
        else denied.push({ ...base, rule: d.rule, code: d.code, reasons: d.reasons });
      }
      ctx.body = { user: userView(u), access, denied };
    }),
  );

  r.get(
    '/sessions',
    handle((ctx) => {
      const q = parse(sessionsQuery, ctx.query).user;
      ctx.body = { sessions: listSessions(idp, q ? user(q).id : undefined) };
    }),
  );

  r.get(
    '/groups',
    handle((ctx) => {
      ctx.body = { groups: dir.listGroups() };
    }),
  );
  r.post(
    '/groups',
    handle((ctx) => {
      const body = parse(groupCreate, ctx.request.body);
      if (dir.getGroup(body.name)) throw conflict(`A group named ${body.name} exists already.`);
      dir.upsertGroup(body);
      recordChange(idp, ctx, `created group ${body.name}`, { entity: 'group', action: 'create', id: body.name });
      ctx.status = 201;
      ctx.body = { ...body, members: [] };
    }),
  );
  r.patch(
    '/groups/:name',
    handle((ctx) => {
      const name = ctx.params.name as string;
      if (!dir.getGroup(name)) throw notFound('group', name);
      const body = parse(groupPatch, ctx.request.body);
      dir.upsertGroup({ name, title: body.title });
      recordChange(idp, ctx, `renamed group ${name}`, { entity: 'group', action: 'update', id: name });
      ctx.body = dir.listGroups().find((g) => g.name === name);
    }),
  );
  r.delete(
    '/groups/:name',
    handle((ctx) => {
      const name = ctx.params.name as string;
      if (!dir.deleteGroup(name)) throw notFound('group', name);
      recordChange(idp, ctx, `deleted group ${name}`, { entity: 'group', action: 'delete', id: name });
      ctx.status = 204;
    }),
  );
  return r;
}

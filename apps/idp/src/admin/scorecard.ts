/**
 * Admin API for the AS scorecard (`xaa test-as`): `POST /admin/scorecard/mint` signs a test ID-JAG
 * for a directory user with the IdP's real current key, optionally broken in one documented way
 * (wrong `typ`, a claim changed or removed, times shifted), so a resource AS under test sees exactly
 * what a real — or a buggy — IdP would send. The subject is what the token exchange would put there
 * for that audience (pairwise where the server is configured so; draft-04 §3.1), so the valid and
 * the broken tokens name the same user.
 *
 * Behind `requireAdmin` like every admin route: an access token for `<issuer>/admin` with scope
 * `xaa:admin` (ops client via client_credentials, or an admin user). Nothing here is anonymous. The
 * IdP never signs another issuer's name (`iss` cannot be set); tokens that need a foreign key are the
 * scorecard's own work, and nothing it signs may be accepted by the playground itself (no ID-token or
 * access-token `typ`, no IdP or admin-API audience, a bounded `exp`: scorecard-guard.ts). Every mint is an `admin.change` flow event naming the mutation and the `jti`.
 */
import type Router from '@koa/router';
import { type Mutation, mintSchema } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import { type IdJagClaims, TYP_ID_JAG } from '@xaa/protocol';
import { type JWTPayload, SignJWT } from 'jose';
import { defaults } from '../config.ts';
import { persistentSecret } from '../db/settings.ts';
import { idJagClaims } from '../issuance/mint-id-jag.ts';
import { type AdminDeps, AdminProblem, handle, parse, recordChange } from './common.ts';
import { assertMintable } from './scorecard-guard.ts';

/** Apply a mutation to a claim set (pure; exported for tests). */
export function mutateClaims(claims: IdJagClaims, mutation: Mutation | undefined, nowSeconds: number): JWTPayload {
  const out: Record<string, unknown> = { ...claims };
  if (!mutation) return out;
  for (const [k, v] of Object.entries(mutation.set ?? {})) out[k] = v;
  for (const [k, v] of Object.entries(mutation.times ?? {})) if (v !== undefined) out[k] = nowSeconds + v;
  for (const k of mutation.remove ?? []) delete out[k];
  return out;
}

export function describeMutation(m: Mutation | undefined): string {
  if (!m) return 'none';
  const parts: string[] = [];
  if (m.typ !== undefined) parts.push(m.typ === null ? 'typ removed' : `typ=${m.typ}`);
  for (const [k, v] of Object.entries(m.set ?? {})) parts.push(`${k}=${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(m.times ?? {})) parts.push(`${k}=now${(v as number) >= 0 ? '+' : ''}${v}s`);
  for (const k of m.remove ?? []) parts.push(`${k} removed`);
  return parts.join(', ') || 'none';
}

export function scorecardRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin/scorecard');

  r.post(
    '/mint',
    handle(async (ctx) => {
      const body = parse(mintSchema, ctx.request.body);
      const user = idp.directory.resolveUser(body.user);
      if (!user) throw new AdminProblem(400, 'invalid_request', `No user ${JSON.stringify(body.user)} in the directory.`, { user: 'Unknown user.' });
      const known = idp.directory.listServers().find((s) => s.issuer === body.audience);
      const nowSeconds = Math.floor(idp.now() / 1000);
      const claims = idJagClaims({
        issuer: idp.issuer,
        user: { id: user.id, email: user.email },
        server: { issuer: body.audience, pairwise_subject: known?.pairwise_subject ?? false },
        resource: body.resource ?? known?.resource ?? '',
        remoteClientId: body.client_id,
        scopes: body.scope ? body.scope.split(' ').filter(Boolean) : [],
        ttlSeconds: body.ttl ?? defaults.idJagTtl,
        authTime: undefined,
        nowSeconds,
        pairwiseSecret: persistentSecret(idp.db, 'pairwise_secret'),
      });
      if (!claims.resource) delete claims.resource;
      const payload = mutateClaims(claims, body.mutation, nowSeconds);
      const key = await idp.keys.signingKey();
      const typ = body.mutation?.typ === undefined ? TYP_ID_JAG : body.mutation.typ;
      assertMintable(idp, typ, payload);
      const header = { alg: key.alg, kid: key.kid, ...(typ === null ? {} : { typ }) };
      const assertion = await new SignJWT(payload).setProtectedHeader(header).sign(key.key);
      recordChange(idp, ctx, `scorecard test ID-JAG for ${user.username} → ${body.audience} (mutation: ${describeMutation(body.mutation)})`, {
        scorecard: true,
        audience: body.audience,
        client_id: body.client_id,
        user: user.username,
        mutation: describeMutation(body.mutation),
        ...(typeof payload.jti === 'string' ? { jti: payload.jti } : {}),
      });
      ctx.status = 201;
      ctx.body = { assertion, header, claims: payload };
    }),
  );

  return r;
}

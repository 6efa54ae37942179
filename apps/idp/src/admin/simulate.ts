/**
 * Admin API: the policy simulator. Runs the same engine as token exchange for (user, app, server,
 * scopes) and shows the decision, its trace, and the claims an ID-JAG WOULD carry — minting nothing,
 * signing nothing, recording nothing.
 */
import type Router from '@koa/router';
import { simulateBody } from '@xaa/admin-contracts/idp';
import { surfaceRouter } from '@xaa/node-kit';
import { evaluate } from '@xaa/policy';
import { defaults } from '../config.ts';
import { persistentSecret } from '../db/settings.ts';
import { idJagClaims } from '../issuance/mint-id-jag.ts';
import { type AdminDeps, AdminProblem, handle, parse } from './common.ts';

/** Stands in for the thumbprint of the key a real proof would prove (no key exists in a simulation). */
const SIMULATED_JKT = '(thumbprint of the client key)';

export function simulateRoutes({ idp }: AdminDeps): Router {
  const r = surfaceRouter('/admin');
  r.post(
    '/simulate',
    handle((ctx) => {
      const body = parse(simulateBody, ctx.request.body);
      const dir = idp.directory;
      const user = dir.resolveUser(body.user);
      if (!user) throw new AdminProblem(400, 'invalid_request', `Unknown user ${body.user}.`, { user: 'Unknown user.' });
      const server = dir.getServer(body.server);
      if (!server) throw new AdminProblem(400, 'invalid_request', `Unknown server ${body.server}.`, { server: 'Unknown server.' });
      if (!dir.getApp(body.app)) throw new AdminProblem(400, 'invalid_request', `Unknown app ${body.app}.`, { app: 'Unknown app.' });
      const now = Math.floor(idp.now() / 1000);
      const decision = evaluate(
        {
          user: user.id,
          client: body.app,
          audience: server.issuer,
          resource: body.resource ?? server.resource,
          auth_time: now - (body.auth_age ?? 0),
          ...(body.dpop ? { dpop_jkt: SIMULATED_JKT } : {}),
          ...(body.scopes ? { scopes: body.scopes } : {}),
        },
        dir.policyConnections(body.app),
        dir.policyDirectory(),
        now,
      );
      if (decision.effect === 'deny') {
        ctx.body = {
          decision: { effect: 'deny', rule: decision.rule, code: decision.code, reasons: decision.reasons, grantedScopes: [] },
          error: { error: decision.code, error_description: decision.description, ...(decision.max_age !== undefined ? { max_age: decision.max_age } : {}) },
          trace: decision.trace,
          claims: null,
        };
        return;
      }
      const ttl = Math.min(decision.connection.ttl, defaults.idJagMaxTtl);
      const claims = idJagClaims({
        issuer: idp.issuer,
        user,
        server: { issuer: server.issuer, pairwise_subject: server.pairwise_subject },
        resource: decision.resource,
        remoteClientId: decision.connection.remote_client_id,
        scopes: decision.grantedScopes,
        ttlSeconds: ttl,
        authTime: now - (body.auth_age ?? 0),
        nowSeconds: now,
        pairwiseSecret: persistentSecret(idp.db, 'pairwise_secret'),
        ...(body.dpop ? { jkt: SIMULATED_JKT } : {}),
      });
      ctx.body = {
        decision: { effect: 'allow', rule: decision.rule, reasons: decision.reasons, grantedScopes: decision.grantedScopes, narrowed: decision.narrowed },
        trace: decision.trace,
        claims,
        header: { alg: idp.keys.current()?.alg ?? null, kid: idp.keys.current()?.kid ?? null, typ: 'oauth-id-jag+jwt' },
        minted: false,
      };
    }),
  );
  return r;
}

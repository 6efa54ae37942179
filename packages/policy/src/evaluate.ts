/**
 * The connection-policy decision for one token-exchange request (draft-04 §4.3,
 * EMA §7.6.1, docs/decisions.md §4). Pure: the same inputs give the same decision, with a trace of every check
 * that ran, so the IdP, the admin simulator and the tests share one rule set.
 *
 * Order: target (audience, resource pairing) → client → user → connection → validity window →
 * audience → scopes → authentication age (step-up). What it does not do: verify the subject token or authenticate the client (the IdP's
 * earlier steps), or mint anything.
 */
import type { Allow, Audience, Connection, Decision, DenyCode, Directory, DirectoryServer, DirectoryUser, PolicyRequest, TraceStep } from './types.ts';

export type TargetResolution =
  | { ok: true; server: DirectoryServer; resource: string; trace: TraceStep[] }
  | { ok: false; rule: string; description: string; reason: string; trace: TraceStep[] };

/**
 * RFC 8693 `audience` must be a registered AS issuer (byte for byte, docs/decisions.md §4), and a `resource`, when
 * present, must be one that AS serves (EMA §7.6.1). Without `resource` the server's first resource is used.
 */
export function resolveTarget(audience: string, resource: string | undefined, servers: readonly DirectoryServer[]): TargetResolution {
  const trace: TraceStep[] = [];
  const server = servers.find((s) => s.issuer === audience);
  if (!server) {
    trace.push({ check: 'target.audience', outcome: 'fail', detail: `${audience} is not a registered authorization server issuer` });
    return {
      ok: false,
      rule: 'target:unknown_audience',
      description: 'The audience is not a registered authorization server issuer (RFC 8693 §2.1, draft-04 §4.3.1).',
      reason: `unknown audience ${audience}`,
      trace,
    };
  }
  trace.push({ check: 'target.audience', outcome: 'pass', detail: `${audience} is the authorization server of ${server.title}` });
  if (resource !== undefined) {
    if (!server.resources.includes(resource)) {
      trace.push({ check: 'target.resource', outcome: 'fail', detail: `${resource} is not served by ${server.issuer}` });
      return {
        ok: false,
        rule: 'target:resource_not_paired',
        description: 'The resource is not registered with this audience; (audience, resource) must be a registered pair (EMA §7.6.1).',
        reason: `resource ${resource} is not paired with ${audience}`,
        trace,
      };
    }
    trace.push({ check: 'target.resource', outcome: 'pass', detail: `${resource} is paired with ${audience}` });
    return { ok: true, server, resource, trace };
  }
  const fallback = server.resources[0];
  if (fallback === undefined) {
    trace.push({ check: 'target.resource', outcome: 'fail', detail: `${server.issuer} has no registered resource` });
    return { ok: false, rule: 'target:no_resource', description: 'The audience has no registered resource.', reason: 'server without resource', trace };
  }
  trace.push({ check: 'target.resource', outcome: 'pass', detail: `no resource requested; using ${fallback}` });
  return { ok: true, server, resource: fallback, trace };
}

/** Does the connection's audience admit this user? The reason may name groups (audit only). */
export function audienceAdmits(audience: Audience, user: DirectoryUser): { ok: boolean; detail: string } {
  switch (audience.kind) {
    case 'all':
      return { ok: true, detail: 'the connection is for everyone' };
    case 'groups': {
      const hit = user.groups.filter((g) => audience.groups.includes(g));
      return hit.length > 0
        ? { ok: true, detail: `member of ${hit.join(', ')}` }
        : { ok: false, detail: `groups [${user.groups.join(', ')}] do not meet [${audience.groups.join(', ')}]` };
    }
    case 'users':
      return audience.users.includes(user.id) || audience.users.includes(user.username)
        ? { ok: true, detail: `${user.username} is named by the connection` }
        : { ok: false, detail: `${user.username} is not among the connection's users` };
  }
}

export function connectionLabel(c: Connection, clientTitle?: string, serverTitle?: string): string {
  return `${clientTitle ?? c.client} → ${serverTitle ?? c.server}`;
}

/** A target `resolveTarget` accepted: the server, the resource the ID-JAG will carry, and the checks that ran. */
export type ResolvedPolicyTarget = Extract<TargetResolution, { ok: true }>;

/** Resolve the target, then decide (the admin simulator and the directory's reachability view). */
export function evaluate(request: PolicyRequest, connections: readonly Connection[], directory: Directory, now: number): Decision {
  const target = resolveTarget(request.audience, request.resource, directory.servers());
  if (!target.ok)
    return {
      effect: 'deny',
      rule: target.rule,
      code: 'invalid_target',
      description: target.description,
      reason: target.reason,
      reasons: [target.reason],
      trace: [...target.trace],
    };
  return evaluateFor(target, request, connections, directory, now);
}

/**
 * Decide for a target the caller already resolved (the IdP's token exchange resolves it once, as its
 * own step); `request.audience`/`resource` are not looked at again.
 */
export function evaluateFor(
  target: ResolvedPolicyTarget,
  request: PolicyRequest,
  connections: readonly Connection[],
  directory: Directory,
  now: number,
): Decision {
  const trace: TraceStep[] = [];
  const deny = (
    code: DenyCode,
    rule: string,
    description: string,
    reasons: string[],
    extra: { connection?: Connection; server?: DirectoryServer } = {},
  ): Decision => ({
    effect: 'deny',
    rule,
    code,
    description,
    reason: reasons[0] ?? description,
    reasons,
    trace,
    ...extra,
  });

  // 1. Target: the (audience, resource) pair, resolved by the caller (EMA §7.6.1).
  trace.push(...target.trace);
  const { server, resource } = target;

  // 2. Client: known and enabled at the IdP.
  const client = directory.client(request.client);
  if (!client || client.disabled) {
    trace.push({ check: 'client.enabled', outcome: 'fail', detail: client ? `${client.title} is disabled` : `unknown client ${request.client}` });
    return deny('unauthorized_client', 'client:disabled', 'This client may not obtain ID-JAGs (it is disabled or unknown).', ['client disabled or unknown'], {
      server,
    });
  }
  trace.push({ check: 'client.enabled', outcome: 'pass', detail: `${client.title} is enabled` });

  // 3. User: known and enabled.
  const user = directory.user(request.user);
  if (!user || user.disabled) {
    trace.push({ check: 'user.enabled', outcome: 'fail', detail: user ? `${user.username} is disabled` : `unknown user ${request.user}` });
    return deny(
      'access_denied',
      'user:disabled',
      'Denied by rule "user:disabled": the user account is not active.',
      [user ? `user ${user.username} is disabled` : 'unknown user'],
      {
        server,
      },
    );
  }
  trace.push({ check: 'user.enabled', outcome: 'pass', detail: `${user.username} is active` });

  // 4. Connection: the admin must have approved client → (issuer, resource).
  const candidates = connections.filter((c) => c.client === request.client && c.issuer === server.issuer && c.resource === resource);
  if (candidates.length === 0) {
    trace.push({ check: 'connection.exists', outcome: 'fail', detail: `no connection ${client.title} → ${server.title}` });
    return deny(
      'access_denied',
      'no_connection',
      `Denied by rule "no_connection": ${client.title} has no approved connection to ${server.title}.`,
      [`no connection from ${request.client} to ${server.name}`],
      { server },
    );
  }

  let last: Decision | undefined;
  for (const c of candidates) {
    const label = connectionLabel(c, client.title, server.title);
    const rule = `connection:${c.id}`;
    trace.push({ check: 'connection.exists', outcome: 'pass', detail: `${label} (${c.id})` });
    if (!c.enabled) {
      trace.push({ check: 'connection.enabled', outcome: 'fail', detail: `${label} is disabled` });
      last = deny('access_denied', `${rule}:disabled`, `Denied by rule "${label}": the connection is disabled.`, [`connection ${c.id} is disabled`], {
        connection: c,
        server,
      });
      continue;
    }
    trace.push({ check: 'connection.enabled', outcome: 'pass', detail: `${label} is enabled` });
    if ((c.not_before !== undefined && now < c.not_before) || (c.not_after !== undefined && now >= c.not_after)) {
      trace.push({ check: 'connection.window', outcome: 'fail', detail: `${label} is outside its validity window` });
      last = deny(
        'access_denied',
        `${rule}:window`,
        `Denied by rule "${label}": the connection is not in force now.`,
        [`connection ${c.id} outside validity window`],
        {
          connection: c,
          server,
        },
      );
      continue;
    }
    const admits = audienceAdmits(c.audience, user);
    if (!admits.ok) {
      trace.push({ check: 'connection.audience', outcome: 'fail', detail: admits.detail });
      // The caller-facing description names the rule, never the user's groups (docs/decisions.md §4).
      last = deny('access_denied', `${rule}:audience`, `Denied by rule "${label}": the user is not in this connection's audience.`, [admits.detail], {
        connection: c,
        server,
      });
      continue;
    }
    trace.push({ check: 'connection.audience', outcome: 'pass', detail: admits.detail });

    // 5. Scopes: grant requested ∩ allowed; omitted → everything allowed (EMA §7.2.1).
    const allowed = c.scopes.filter((s) => server.scopes.length === 0 || server.scopes.includes(s));
    const requested = request.scopes && request.scopes.length > 0 ? request.scopes : undefined;
    const granted = requested ? requested.filter((s) => allowed.includes(s)) : allowed;
    if (granted.length === 0) {
      trace.push({
        check: 'connection.scope',
        outcome: 'fail',
        detail: requested ? `none of [${requested.join(' ')}] is allowed (allowed: [${allowed.join(' ')}])` : 'the connection allows no scopes',
      });
      last = deny(
        'invalid_scope',
        `${rule}:scope`,
        `Denied by rule "${label}": none of the requested scopes is allowed by this connection.`,
        [requested ? `requested [${requested.join(' ')}], allowed [${allowed.join(' ')}]` : 'no allowed scopes'],
        { connection: c, server },
      );
      continue;
    }
    // 6. Sender constraint: a connection that requires DPoP admits only a request that proved a key
    // (RFC 9449 §4.3), so the ID-JAG carries cnf.jkt (draft-04 §9.8.1.1). Sending a proof fixes it.
    if (c.require_dpop === true) {
      if (request.dpop_jkt === undefined) {
        trace.push({ check: 'connection.dpop', outcome: 'fail', detail: 'the connection requires a DPoP proof; the request has none' });
        last = deny(
          'invalid_dpop_proof',
          `${rule}:dpop`,
          `Denied by rule "${label}": this connection requires DPoP — send a DPoP proof (RFC 9449 §4) with the token exchange.`,
          ['no DPoP proof; the connection requires DPoP-bound ID-JAGs'],
          { connection: c, server },
        );
        continue;
      }
      trace.push({ check: 'connection.dpop', outcome: 'pass', detail: `DPoP proof for key ${request.dpop_jkt}` });
    }
    // 7. Step-up: a recent enough sign-in, checked last because re-authenticating cannot fix the
    // failures above (draft-04 §9.2: use invalid_target / invalid_scope when it would not help).
    if (c.max_auth_age !== undefined && c.max_auth_age !== null) {
      const age = request.auth_time === undefined ? undefined : now - request.auth_time;
      if (age === undefined || age > c.max_auth_age) {
        trace.push({
          check: 'connection.auth_age',
          outcome: 'fail',
          detail:
            age === undefined
              ? `no auth_time; the connection requires a sign-in within ${c.max_auth_age}s`
              : `signed in ${age}s ago; at most ${c.max_auth_age}s allowed`,
        });
        last = {
          effect: 'deny',
          rule: `${rule}:auth_age`,
          code: 'insufficient_user_authentication',
          description: `Denied by rule "${label}": this connection requires a sign-in within the last ${c.max_auth_age} seconds.`,
          reason: `authentication too old for ${c.id}`,
          reasons: [age === undefined ? 'no auth_time' : `auth age ${age}s > ${c.max_auth_age}s`],
          connection: c,
          server,
          max_age: c.max_auth_age,
          trace,
        };
        continue;
      }
      trace.push({ check: 'connection.auth_age', outcome: 'pass', detail: `signed in ${age}s ago (≤ ${c.max_auth_age}s)` });
    }

    const narrowed = requested !== undefined && granted.length < requested.length;
    trace.push({
      check: 'connection.scope',
      outcome: 'pass',
      detail: narrowed ? `narrowed [${requested?.join(' ')}] to [${granted.join(' ')}]` : `granted [${granted.join(' ')}]`,
    });
    const allow: Allow = {
      effect: 'allow',
      rule,
      grantedScopes: granted,
      narrowed,
      reasons: [`${label} allows ${user.username}: ${admits.detail}`, `scopes ${granted.join(' ')}`],
      connection: c,
      server,
      resource,
      trace,
    };
    return allow;
  }
  return last as Decision;
}

/**
 * One server by XAA, for the agent: discovery and legs 2 and 3 (`flow.ts`), the connection row in
 * client.db, and the tool call with silent renewal. An IdP denial marks the server "blocked by your
 * organization"; it never falls back to an interactive consent flow.
 */
import { tokenHash } from '@xaa/protocol';
import { callClassic, connectClassic } from './classic-connection.ts';
import type { AgentApp, AgentServer } from './config.ts';
import { type AgentCore, sessionLegDeps, targetOf } from './core.ts';
import { discover } from './discovery.ts';
import { callTool, connectXaa, exchangeForAccessToken } from './flow.ts';
import type { AccessToken } from './legs/access-token.ts';
import { type CallOutcome, failureOutcome, type ServerOutcome } from './outcomes.ts';
import type { ProgressSink } from './progress.ts';
import type { ConnectionRow } from './store.ts';

/** Event data tying a token to its login: same login trace, same ID token (hash); a sub-agent says so. */
export async function lineage(core: AgentCore, user: string, app: AgentApp, purpose: string): Promise<Record<string, unknown>> {
  const session = core.store.getSession(user, app.name);
  if (!session) return {};
  return {
    lineage: {
      loginTraceId: session.login_trace,
      idTokenHash: await tokenHash(session.id_token),
      role: purpose ? 'sub-agent' : 'agent',
      ...(purpose ? { scope: purpose.slice('scope:'.length) } : {}),
    },
  };
}

function saveXaa(
  core: AgentCore,
  user: string,
  app: AgentApp,
  server: string,
  purpose: string,
  row: Partial<ConnectionRow> & Pick<ConnectionRow, 'status'>,
  traceId: string,
) {
  core.store.saveConnection(
    {
      user,
      app: app.name,
      server,
      purpose,
      mode: 'xaa',
      requested_scope: null,
      scope: null,
      access_token: null,
      token_type: null,
      expires_at: null,
      jti: null,
      refresh_token: null,
      as_issuer: null,
      resource: null,
      error: null,
      error_description: null,
      consent_screens: 0,
      tools: null,
      ...row,
      trace_id: traceId,
    },
    core.now(),
  );
}

function tokenRow(t: AccessToken): Pick<ConnectionRow, 'access_token' | 'token_type' | 'scope' | 'expires_at' | 'jti'> {
  return { access_token: t.accessToken, token_type: t.tokenType, scope: t.scope ?? null, expires_at: t.expiresAt ?? null, jti: t.jti ?? null };
}

export async function connectServer(
  core: AgentCore,
  user: string,
  app: AgentApp,
  s: AgentServer,
  purpose: string,
  scope: string | undefined,
  classic: boolean,
  headless: boolean,
  traceId: string,
  progress: ProgressSink,
  dpop?: boolean,
): Promise<ServerOutcome> {
  if (classic) return connectClassic(core, user, app, s, purpose, scope, headless, traceId, progress);
  const deps = await sessionLegDeps(core, user, app, purpose, progress, dpop);
  if (deps.dpopJkt)
    progress({ step: 'dpop', server: s.name, outcome: 'info', detail: `${purpose ? 'sub-agent' : 'session'} DPoP key ${deps.dpopJkt} (RFC 9449)`, ms: 0 });
  const target = targetOf(app, s);
  const idTokens = core.idTokens(user, app, progress);
  const r = await connectXaa(deps, core.idp(app), idTokens, target, {
    scope,
    fixedScope: !!purpose,
    onRenewed: (t) => saveXaa(core, user, app, s.name, purpose, { status: 'connected', ...tokenRow(t) }, traceId),
  });
  if (r.outcome === 'classic_required') {
    progress({
      step: 'classic',
      server: s.name,
      outcome: 'info',
      detail: `${r.discovered.asIssuer} does not redeem ID-JAGs: classic OAuth with a consent screen`,
      ms: 0,
    });
    return connectClassic(core, user, app, s, purpose, scope, headless, traceId, progress);
  }
  if (r.outcome !== 'ok') {
    // Never fall back to an interactive consent flow after an IdP denial (EMA: IT decides).
    saveXaa(
      core,
      user,
      app,
      s.name,
      purpose,
      {
        status: r.outcome === 'denied' ? 'blocked' : 'error',
        error: r.code,
        error_description: r.description,
        as_issuer: r.discovered?.asIssuer ?? null,
        resource: r.discovered?.resource ?? null,
        requested_scope: scope ?? null,
      },
      traceId,
    );
    return failureOutcome(s, r);
  }
  saveXaa(
    core,
    user,
    app,
    s.name,
    purpose,
    {
      status: 'connected',
      ...tokenRow(r.token),
      requested_scope: r.requestedScope ?? null,
      as_issuer: r.discovered.asIssuer,
      resource: r.discovered.resource,
      tools: JSON.stringify(r.tools),
      tool_list: JSON.stringify(r.toolList),
    },
    traceId,
  );
  return {
    server: s.name,
    title: s.title,
    mode: 'xaa',
    status: 'connected',
    message: `connected with XAA (no consent screen)${r.token.scope ? `, scope ${r.token.scope}` : ''}`,
    scope: r.token.scope,
    expiresAt: r.token.expiresAt,
    jti: r.token.jti,
    tools: r.tools,
    toolList: r.toolList,
    consentScreens: 0,
  };
}

export async function callServer(
  core: AgentCore,
  user: string,
  app: AgentApp,
  s: AgentServer,
  purpose: string,
  opts: { tool: string; args?: Record<string, unknown>; scope?: string; dpop?: boolean },
  traceId: string,
  progress: ProgressSink,
): Promise<Omit<CallOutcome, 'traceId' | 'steps'>> {
  const base = { server: s.name, tool: opts.tool };
  const row = core.store.getConnection(user, app.name, s.name, purpose);
  if (row?.mode === 'classic') return callClassic(core, user, app, s, purpose, row, opts, progress);
  const deps = await sessionLegDeps(core, user, app, purpose, progress, opts.dpop);
  const idTokens = core.idTokens(user, app, progress);
  let renewed = false;

  let token: AccessToken | undefined =
    row?.status === 'connected' && row.access_token
      ? {
          accessToken: row.access_token,
          tokenType: row.token_type ?? 'Bearer',
          scope: row.scope ?? undefined,
          expiresAt: row.expires_at ?? undefined,
          jti: row.jti ?? undefined,
        }
      : undefined;
  let asIssuer = row?.as_issuer ?? undefined;
  let requestedScope = row?.requested_scope ?? opts.scope;
  const expired = token?.expiresAt !== undefined && token.expiresAt - core.config.options.expirySkewSeconds <= core.now();
  if (!token || expired || !asIssuer) {
    progress({
      step: 'renew',
      server: s.name,
      outcome: 'info',
      detail: token ? 'access token expired: fresh ID-JAG and token, silently' : 'no access token yet: discovery, ID-JAG and token',
      ms: 0,
    });
    const d = await discover(s.url, { fetch: deps.fetch });
    if (!d.ok) return { ...base, outcome: 'error', renewed, error: { code: d.kind, description: d.message, stage: 'discover' } };
    if (!d.idJag)
      return {
        ...base,
        outcome: 'error',
        renewed,
        error: { code: 'classic_required', description: `${s.title} needs the classic flow: run connect ${s.name}`, stage: 'discover' },
      };
    requestedScope = opts.scope ?? row?.requested_scope ?? (d.prm.scopes_supported?.length ? d.prm.scopes_supported.join(' ') : d.challengeScope);
    const legs = await exchangeForAccessToken(deps, core.idp(app), idTokens, targetOf(app, s), d, requestedScope);
    if (!('ok' in legs)) {
      saveXaa(
        core,
        user,
        app,
        s.name,
        purpose,
        {
          status: legs.outcome === 'denied' ? 'blocked' : 'error',
          error: legs.code,
          error_description: legs.description,
          as_issuer: d.asIssuer,
          resource: d.resource,
        },
        traceId,
      );
      return { ...base, outcome: legs.outcome, renewed, error: { code: legs.code, description: legs.description, stage: legs.stage } };
    }
    token = legs.token;
    asIssuer = d.asIssuer;
    renewed = true;
    saveXaa(
      core,
      user,
      app,
      s.name,
      purpose,
      {
        status: 'connected',
        ...tokenRow(token),
        requested_scope: requestedScope ?? null,
        as_issuer: d.asIssuer,
        resource: d.resource,
        tools: row?.tools ?? null,
      },
      traceId,
    );
  }
  const r = await callTool(
    deps,
    core.idp(app),
    idTokens,
    targetOf(app, s),
    {
      asIssuer,
      token,
      requestedScope,
      fixedScope: !!purpose,
      onRenewed: (t) => {
        renewed = true;
        const prev = core.store.getConnection(user, app.name, s.name, purpose);
        saveXaa(core, user, app, s.name, purpose, { ...prev, status: 'connected', ...tokenRow(t) }, traceId);
      },
    },
    { tool: opts.tool, args: opts.args ?? {} },
  );
  if (r.outcome !== 'ok') {
    if (r.stage === 'id-jag' || r.stage === 'session') {
      const prev = core.store.getConnection(user, app.name, s.name, purpose);
      saveXaa(
        core,
        user,
        app,
        s.name,
        purpose,
        { ...prev, status: r.outcome === 'denied' ? 'blocked' : 'error', error: r.code, error_description: r.description },
        traceId,
      );
    }
    return { ...base, outcome: r.outcome, renewed, error: { code: r.code, description: r.description, stage: r.stage } };
  }
  return { ...base, outcome: r.result.isError ? 'error' : 'ok', renewed, result: r.result, jti: r.token.jti };
}

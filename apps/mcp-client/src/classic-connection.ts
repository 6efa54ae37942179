/**
 * One server by the classic flow, for the agent: the SDK provider backed by client.db, the headless
 * or interactive authorization, the connection row (with the consent screens counted), tool calls.
 */
import type { CallToolResult, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { decodeUnverified } from '@xaa/protocol';
import { ClassicProvider, type ClassicState, type finishClassic, newState, runClassic } from './classic.ts';
import type { AgentApp, AgentServer } from './config.ts';
import type { AgentCore } from './core.ts';
import { openSession } from './mcp-session.ts';
import { type CallOutcome, failureOutcome, type ServerOutcome, type ToolInfo, toolInfos } from './outcomes.ts';
import type { ProgressSink } from './progress.ts';
import type { ConnectionRow } from './store.ts';

export function classicProvider(
  core: AgentCore,
  user: string,
  app: AgentApp,
  s: AgentServer,
  purpose: string,
  state: string,
  initial?: StoredOAuthTokens,
  restored?: ClassicState,
) {
  const reg = app.servers[s.name];
  return new ClassicProvider({
    store: core.store,
    app,
    redirectUri: core.config.redirectUri,
    preRegistered: reg && s.issuer ? { registration: reg, issuer: s.issuer } : undefined,
    state,
    initialTokens: initial,
    restored,
    onTokens: (t, issuer) => {
      const claims = decodeUnverified(t.access_token)?.claims;
      const prev = core.store.getConnection(user, app.name, s.name, purpose);
      core.store.saveConnection(
        {
          user,
          app: app.name,
          server: s.name,
          purpose,
          mode: 'classic',
          status: 'connected',
          requested_scope: prev?.requested_scope ?? null,
          scope: t.scope ?? null,
          access_token: t.access_token,
          token_type: t.token_type,
          expires_at: typeof t.expires_in === 'number' ? core.now() + t.expires_in : typeof claims?.exp === 'number' ? claims.exp : null,
          jti: typeof claims?.jti === 'string' ? claims.jti : null,
          refresh_token: t.refresh_token ?? prev?.refresh_token ?? null,
          as_issuer: issuer ?? prev?.as_issuer ?? null,
          resource: prev?.resource ?? s.url,
          error: null,
          error_description: null,
          consent_screens: prev?.consent_screens ?? 0,
          tools: prev?.tools ?? null,
          trace_id: prev?.trace_id ?? null,
        },
        core.now(),
      );
    },
  });
}

export async function connectClassic(
  core: AgentCore,
  user: string,
  app: AgentApp,
  s: AgentServer,
  purpose: string,
  scope: string | undefined,
  headless: boolean,
  traceId: string,
  progress: ProgressSink,
): Promise<ServerOutcome> {
  const state = newState();
  const provider = classicProvider(core, user, app, s, purpose, state);
  const password = core.config.users.find((u) => u.username === user)?.password;
  if (headless && password === undefined) {
    return failureOutcome(
      s,
      { outcome: 'error', stage: 'classic', code: 'no_password', description: `no demo password for ${user} to fill the login form` },
      'classic',
    );
  }
  const t0 = performance.now();
  const r = await runClassic(provider, {
    serverUrl: s.url,
    fetch: core.fetch,
    scope,
    headless: headless ? { credentials: { username: user, password: password as string }, maxSteps: core.config.options.headlessMaxSteps } : undefined,
  });
  const ms = Math.round(performance.now() - t0);
  if (r.outcome === 'pending') {
    core.store.putPending(state, 'classic', { user, app: app.name, server: s.name, purpose, scope, saved: r.saved, traceId }, core.now(), 600);
    progress({ step: 'classic', server: s.name, outcome: 'info', detail: `consent needed: open ${r.authorizationUrl.href}`, ms });
    return {
      server: s.name,
      title: s.title,
      mode: 'classic',
      status: 'pending',
      message: 'waiting for you to approve the consent screen in the browser',
      consentScreens: 0,
      authorizationUrl: r.authorizationUrl.href,
    };
  }
  progress({
    step: 'classic',
    server: s.name,
    outcome: r.outcome === 'ok' ? 'ok' : r.outcome,
    detail: r.outcome === 'ok' ? `authorization code + PKCE at ${r.issuer ?? s.url}: ${r.consentScreens} consent screen(s)` : `${r.code} — ${r.description}`,
    ms,
  });
  return classicDone(core, user, app, s, purpose, r, r.consentScreens, traceId, progress);
}

export async function classicDone(
  core: AgentCore,
  user: string,
  app: AgentApp,
  s: AgentServer,
  purpose: string,
  r: Awaited<ReturnType<typeof finishClassic>>,
  consentScreens: number,
  traceId: string,
  progress: ProgressSink,
): Promise<ServerOutcome> {
  if (r.outcome !== 'ok') {
    core.store.saveConnection(
      {
        user,
        app: app.name,
        server: s.name,
        purpose,
        mode: 'classic',
        status: 'error',
        requested_scope: null,
        scope: null,
        access_token: null,
        token_type: null,
        expires_at: null,
        jti: null,
        refresh_token: null,
        as_issuer: null,
        resource: s.url,
        error: r.code,
        error_description: r.description,
        consent_screens: consentScreens,
        tools: null,
        trace_id: traceId,
      },
      core.now(),
    );
    return { ...failureOutcome(s, { outcome: r.outcome, stage: 'classic', code: r.code, description: r.description }, 'classic'), consentScreens };
  }
  const row = core.store.getConnection(user, app.name, s.name, purpose);
  if (row) core.store.saveConnection({ ...row, consent_screens: consentScreens, trace_id: traceId }, core.now());
  // List the tools with the new token (the SDK refreshes it if needed).
  const t0 = performance.now();
  let tools: string[] = [];
  let toolList: ToolInfo[] = [];
  try {
    const provider = classicProvider(core, user, app, s, purpose, newState(), r.tokens);
    const session = await openSession(s.url, provider, core.fetch);
    try {
      const listed = (await session.client.listTools()).tools;
      tools = listed.map((t) => t.name);
      toolList = toolInfos(listed);
    } finally {
      await session.close();
    }
    progress({
      step: 'mcp',
      server: s.name,
      outcome: 'ok',
      detail: `MCP session: ${tools.length} tools (${tools.join(', ')})`,
      ms: Math.round(performance.now() - t0),
    });
  } catch (e) {
    progress({ step: 'mcp', server: s.name, outcome: 'error', detail: (e as Error).message, ms: Math.round(performance.now() - t0) });
    return failureOutcome(s, { outcome: 'error', stage: 'mcp', code: 'mcp_error', description: (e as Error).message }, 'classic');
  }
  const after = core.store.getConnection(user, app.name, s.name, purpose);
  if (after) core.store.saveConnection({ ...after, tools: JSON.stringify(tools), tool_list: JSON.stringify(toolList) }, core.now());
  return {
    server: s.name,
    title: s.title,
    mode: 'classic',
    status: 'connected',
    message: `connected the classic way: ${consentScreens} consent screen(s)`,
    scope: r.tokens.scope,
    expiresAt: after?.expires_at ?? undefined,
    jti: after?.jti ?? undefined,
    tools,
    toolList,
    consentScreens,
  };
}

export async function callClassic(
  core: AgentCore,
  user: string,
  app: AgentApp,
  s: AgentServer,
  purpose: string,
  row: ConnectionRow,
  opts: { tool: string; args?: Record<string, unknown> },
  progress: ProgressSink,
): Promise<Omit<CallOutcome, 'traceId' | 'steps'>> {
  const base = { server: s.name, tool: opts.tool, renewed: false };
  if (!row.access_token) return { ...base, outcome: 'error', error: { code: 'not_connected', description: `run connect ${s.name} first`, stage: 'classic' } };
  const provider = classicProvider(core, user, app, s, purpose, newState(), {
    access_token: row.access_token,
    token_type: row.token_type ?? 'Bearer',
    ...(row.refresh_token ? { refresh_token: row.refresh_token } : {}),
    ...(row.scope ? { scope: row.scope } : {}),
  });
  const t0 = performance.now();
  try {
    const session = await openSession(s.url, provider, core.fetch);
    try {
      const result = (await session.client.callTool({ name: opts.tool, arguments: opts.args ?? {} })) as CallToolResult;
      progress({
        step: 'mcp',
        server: s.name,
        outcome: result.isError ? 'error' : 'ok',
        detail: `tools/call ${opts.tool}`,
        ms: Math.round(performance.now() - t0),
      });
      return { ...base, outcome: result.isError ? 'error' : 'ok', result };
    } finally {
      await session.close();
    }
  } catch (e) {
    const needsConsent = provider.authorizationUrl !== undefined;
    progress({ step: 'mcp', server: s.name, outcome: 'error', detail: (e as Error).message, ms: Math.round(performance.now() - t0) });
    return {
      ...base,
      outcome: 'error',
      error: needsConsent
        ? { code: 'consent_required', description: `${s.title} wants the consent screen again: run connect ${s.name}`, stage: 'classic' }
        : { code: 'mcp_error', description: (e as Error).message, stage: 'mcp' },
    };
  }
}

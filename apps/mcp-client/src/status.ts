/** The agent's status: who is signed in, each connection (never a token), the servers it can reach. */
import { tokenHash } from '@xaa/protocol';
import type { LoginHost } from './core.ts';
import { parseToolList, type StatusReport } from './outcomes.ts';

export async function statusReport(host: LoginHost, opts: { user?: string; app?: string } = {}): Promise<StatusReport> {
  const current = host.store.getCurrent();
  const appName = opts.app ?? current?.app;
  const user = opts.user ?? current?.user;
  const servers = host.servers();
  if (!appName || !user) return { current, servers, connections: [] };
  const app = host.app(appName);
  const session = host.store.getSession(user, app.name);
  const now = host.now();
  return {
    current,
    servers,
    ...(session
      ? {
          session: {
            user,
            app: app.name,
            sub: session.sub,
            idTokenExpiresAt: session.id_token_exp,
            refreshToken: !!session.refresh_token,
            loginTraceId: session.login_trace,
            idTokenHash: await tokenHash(session.id_token),
            protocol: session.protocol,
          },
        }
      : {}),
    connections: host.store.listConnections(user, app.name).map((c) => ({
      server: c.server,
      purpose: c.purpose,
      mode: c.mode,
      status: c.status === 'blocked' ? 'blocked by your organization' : c.status,
      scope: c.scope,
      expiresAt: c.expires_at,
      expiresIn: c.expires_at === null ? null : c.expires_at - now,
      jti: c.jti,
      consentScreens: c.consent_screens,
      tools: c.tools ? (JSON.parse(c.tools) as string[]) : [],
      toolList: parseToolList(c.tool_list ?? null, c.tools),
      error: c.error ? { code: c.error, description: c.error_description ?? '' } : null,
    })),
  };
}

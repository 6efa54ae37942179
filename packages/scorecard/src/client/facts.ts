/** The facts the client checks grade, pulled once out of what the IdP and the resource ASes recorded (flow events, docs/decisions.md §5). */
import type { FlowEvent } from '@xaa/protocol';
import type { Directory } from './observe.ts';

export interface Facts {
  exchanges: Array<{ client: string; server: string | undefined; params: Record<string, unknown> }>;
  exchangeRefusals: Array<{ client: string; rule: string; code: string }>;
  issued: Array<{ client: string; server: string | undefined; jti?: string; aud?: unknown; clientIdClaim?: unknown }>;
  faultsFired: Array<{ kind: string; server: string | undefined }>;
  bearer: Array<{ server: string; client: string; authMethod?: string; jti?: string; aud?: unknown }>;
  bearerDenied: Array<{ server: string; client: string; code: string; description: string }>;
  bearerOk: Array<{ server: string; client: string; time: string }>;
  mcpDenied: Array<{ server: string; time: string; description: string }>;
  mcpOk: Array<{ server: string; time: string }>;
}

const serverOfParty = (party: string) => (party.startsWith('as:') || party.startsWith('mcp:') ? party.slice(party.indexOf(':') + 1) : undefined);

export function extractFacts(events: readonly FlowEvent[], dir: Directory, client?: string): Facts {
  const f: Facts = { exchanges: [], exchangeRefusals: [], issued: [], faultsFired: [], bearer: [], bearerDenied: [], bearerOk: [], mcpDenied: [], mcpOk: [] };
  const mine = (c: string | undefined) => client === undefined || c === client;
  for (const e of events) {
    const c = e.subject?.client ?? '';
    if (e.party === 'idp') {
      if (e.step === 'exchange.request' && mine(c))
        f.exchanges.push({ client: c, server: e.subject?.server, params: (e.http?.request ?? {}) as Record<string, unknown> });
      // A failed client authentication may not name a known client: count it unless it names another app.
      else if (
        e.step === 'exchange.decision' &&
        e.outcome !== 'ok' &&
        (mine(c) || (e.error?.code === 'invalid_client' && !dir.apps.some((a) => a.client_id === c)))
      )
        f.exchangeRefusals.push({ client: c, rule: e.decision?.rule ?? '', code: e.error?.code ?? '' });
      else if (e.step === 'exchange.issued' && mine(c)) {
        const jag = e.tokens?.find((t) => t.role === 'id_jag');
        f.issued.push({
          client: c,
          server: e.subject?.server,
          ...(typeof jag?.claims.jti === 'string' ? { jti: jag.claims.jti } : {}),
          aud: jag?.claims.aud,
          clientIdClaim: jag?.claims.client_id,
        });
      } else if (e.step === 'fault.injected' && mine(c)) f.faultsFired.push({ kind: String(e.data?.fault ?? e.error?.code ?? ''), server: e.subject?.server });
      continue;
    }
    const server = e.subject?.server ?? serverOfParty(e.party) ?? '';
    if (e.party.startsWith('as:')) {
      if (e.step === 'bearer.request') {
        const jag = e.tokens?.find((t) => t.role === 'id_jag');
        const req = (e.http?.request ?? {}) as Record<string, unknown>;
        f.bearer.push({
          server,
          client: c,
          ...(typeof req.client_auth === 'string' ? { authMethod: req.client_auth } : {}),
          ...(typeof jag?.claims.jti === 'string' ? { jti: jag.claims.jti } : {}),
          aud: jag?.claims.aud,
        });
      } else if (e.step === 'bearer.issued') {
        if (e.outcome === 'ok') f.bearerOk.push({ server, client: c, time: e.time });
        else f.bearerDenied.push({ server, client: c, code: e.error?.code ?? '', description: e.error?.description ?? e.summary });
      }
    } else if (e.party.startsWith('mcp:')) {
      if (e.step === 'mcp.request' && e.outcome !== 'ok') f.mcpDenied.push({ server, time: e.time, description: e.error?.description ?? e.summary });
      else if (e.step === 'mcp.response' || (e.step === 'mcp.request' && e.outcome === 'ok')) f.mcpOk.push({ server, time: e.time });
    }
  }
  // AS-side events belong to this client when they name one of its registrations (or, mixed up, its IdP id).
  if (client !== undefined) {
    const app = dir.apps.find((a) => a.client_id === client);
    const ids = new Set([client, ...Object.values(app?.registrations ?? {}), ...f.issued.map((i) => String(i.clientIdClaim ?? ''))]);
    f.bearer = f.bearer.filter((b) => ids.has(b.client));
    f.bearerDenied = f.bearerDenied.filter((b) => ids.has(b.client) || b.client === '');
    f.bearerOk = f.bearerOk.filter((b) => ids.has(b.client));
  }
  return f;
}

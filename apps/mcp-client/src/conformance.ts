/**
 * Adapter for the official MCP conformance suite's client scenarios (run from the repo root):
 *
 *   node <conformance> client --command 'npm run --silent conformance:client' --scenario auth/enterprise-managed-authorization
 *
 * The suite starts its own mock IdP, AS and MCP server, then runs this command with the MCP server
 * URL as the last argument and a JSON context in `MCP_CONFORMANCE_CONTEXT`. For the EMA scenario the
 * context carries the ID token the mock IdP issued (`idp_id_token`), the IdP token endpoint, the
 * app's IdP client id (a public client: the mock IdP authenticates nobody) and its registration at
 * the mock AS (`client_id` / `client_secret`). The adapter runs exactly the agent's code path:
 * discovery → leg 2 → leg 3 → MCP session (tools listed) — with an ID token from the context instead
 * of an SSO login. The mock AS lists the jwt-bearer grant but not the id-jag grant profile, so the
 * adapter is "configured to" use EMA (EMA §6).
 *
 * Like `main.ts`, this is an entry point: the only other module that reads `process.env`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlowLog } from '@xaa/node-kit';
import { runAction } from './action.ts';
import { AGENT_DEFAULTS } from './config.ts';
import { connectXaa, type IdpClient, type IdTokenSource } from './flow.ts';
import { instrumentedFetch } from './http.ts';
import type { ProgressStep } from './progress.ts';

interface EmaContext {
  name?: string;
  client_id: string;
  client_secret?: string;
  idp_client_id: string;
  idp_id_token: string;
  idp_issuer: string;
  idp_token_endpoint: string;
}

export function parseContext(raw: string | undefined): EmaContext {
  if (!raw) throw new Error('MCP_CONFORMANCE_CONTEXT is not set');
  const c = JSON.parse(raw) as Partial<EmaContext>;
  for (const k of ['client_id', 'idp_client_id', 'idp_id_token', 'idp_issuer', 'idp_token_endpoint'] as const) {
    if (typeof c[k] !== 'string' || !c[k]) throw new Error(`MCP_CONFORMANCE_CONTEXT has no ${k}`);
  }
  return c as EmaContext;
}

export async function runEnterpriseManagedAuthorization(serverUrl: string, context: EmaContext, log: (line: string) => void): Promise<number> {
  const flowLog = new FlowLog({ capacity: 200 });
  const fetch = instrumentedFetch({ timeoutMs: AGENT_DEFAULTS.httpTimeoutMs });
  const idp: IdpClient = { clientId: context.idp_client_id, tokenEndpoint: async () => context.idp_token_endpoint };
  const fixed = { ok: true as const, idToken: context.idp_id_token };
  const idTokens: IdTokenSource = { current: async () => fixed, refresh: async () => fixed };
  const progress = (p: ProgressStep) => log(`${String(p.ms).padStart(5)} ms  ${p.outcome === 'ok' ? '✓' : '✗'} ${p.step.padEnd(12)} ${p.detail}`);
  const result = await runAction({ action: 'conformance', flowLog, idpIssuer: context.idp_issuer }, () =>
    connectXaa(
      { fetch, now: () => Math.floor(Date.now() / 1000), progress },
      idp,
      idTokens,
      {
        name: 'conformance',
        url: serverUrl,
        registration: { client_id: context.client_id, ...(context.client_secret ? { client_secret: context.client_secret } : {}) },
      },
      { assumeIdJag: true },
    ),
  );
  if (result.outcome === 'ok') return 0;
  log(result.outcome === 'classic_required' ? 'the authorization server does not redeem ID-JAGs' : `${result.stage}: ${result.code} — ${result.description}`);
  return result.outcome === 'denied' ? 3 : 1;
}

async function main(): Promise<number> {
  const serverUrl = process.argv.at(-1);
  if (!serverUrl || !/^https?:\/\//.test(serverUrl)) {
    process.stderr.write('usage: conformance.ts <mcp-server-url>  (context in MCP_CONFORMANCE_CONTEXT)\n');
    return 2;
  }
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  if (scenario && scenario !== 'auth/enterprise-managed-authorization') {
    process.stderr.write(`scenario ${scenario} is not supported by this adapter\n`);
    return 2;
  }
  const context = parseContext(process.env.MCP_CONFORMANCE_CONTEXT);
  return runEnterpriseManagedAuthorization(serverUrl, context, (line) => process.stderr.write(`${line}\n`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`conformance client failed: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(1);
    },
  );
}

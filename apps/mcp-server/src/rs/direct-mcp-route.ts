/**
 * `POST /mcp` with a Bearer access token that passes every check, handed to the MCP handler without
 * oidc-provider's Koa app in front: nothing else in that app answers this request (the metadata,
 * admin, interaction and oidc-provider routes all pass it on), so building a Koa context and running
 * them only costs time on the endpoint every tool call hits. The checks are the same functions the
 * Koa path runs, in the same order: the RFC 9110 §7.2 Host check, the DNS-rebinding guard (Host and
 * Origin), the RFC 6750 / RFC 9068 access-token check (`verifyBearer`). Anything else takes the Koa
 * path, which checks again and renders the refusal with its flow event: another path spelling or a
 * query string, another method, a DPoP proof or scheme (a proof's `jti` is single use, so it is
 * checked once, there), DPoP nonces switched on, a failed check.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeIncomingMessageLike } from '@modelcontextprotocol/node';
import { type AuthInfo, validateHostHeader, validateOriginHeader } from '@modelcontextprotocol/server';
import { answerDefect, hostCheck, traceNodeRequest } from '@xaa/node-kit/oidc-host';
import type { ServerRuntime } from '../context.ts';
import { verifyBearer } from './require-bearer.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;
type McpHandle = (req: NodeIncomingMessageLike, res: ServerResponse) => Promise<void>;

const BEARER = /^Bearer /i;

export function directMcpRoute(
  rt: ServerRuntime,
  options: { mcpPath: string; hostnames: string[]; mcp: McpHandle; koa: NodeHandler; onerror: (err: unknown) => void },
): NodeHandler {
  const { mcpPath, hostnames, mcp, koa, onerror } = options;
  const isValidHost = hostCheck();

  async function direct(req: IncomingMessage, res: ServerResponse, host: string, authorization: string): Promise<void> {
    const result = await verifyBearer(rt, authorization, { proof: undefined, method: 'POST', url: `http://${host}${mcpPath}` });
    if (!result.ok) {
      koa(req, res);
      return;
    }
    traceNodeRequest(req, res);
    const authed = req as IncomingMessage & { auth?: AuthInfo };
    authed.auth = result.authInfo;
    await mcp(authed as unknown as NodeIncomingMessageLike, res);
  }

  return (req, res) => {
    const { host, authorization, origin } = req.headers;
    if (
      req.method !== 'POST' ||
      req.url !== mcpPath ||
      host === undefined ||
      !isValidHost(host) ||
      typeof authorization !== 'string' ||
      !BEARER.test(authorization) ||
      req.headers.dpop !== undefined ||
      !validateHostHeader(host, hostnames).ok ||
      (origin !== undefined && !validateOriginHeader(origin, hostnames).ok) ||
      rt.settings.get().use_dpop_nonce
    ) {
      koa(req, res);
      return;
    }
    direct(req, res, host, authorization).catch((err: unknown) => {
      // The MCP handler answers its own errors; this is a defect.
      onerror(err);
      answerDefect(res);
    });
  };
}

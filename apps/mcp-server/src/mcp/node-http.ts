/**
 * The Node `(req, res)` face of the SDK's web-standard MCP handler (`handler.fetch`), in place of
 * `toNodeHandler`: same answers, less conversion per request.
 *
 * - The body is read once from the Node stream (bounded by `maxRequestBodySize`, 413 beyond it, as the
 *   SDK answers) and, when it is JSON under a JSON media type, handed to the SDK parsed
 *   (`parsedBody`, the SDK's documented escape hatch): the SDK then neither clones the web `Request`
 *   nor reads its body stream. Anything else (not JSON, another media type, empty) goes to the SDK as
 *   the raw body, so its own answers (415, parse error, legacy fallback) are unchanged.
 * - A JSON answer is written with one `res.end(body)` (Content-Length, one write); an SSE answer is
 *   streamed chunk by chunk with backpressure, as the SDK adapter does.
 * - The client going away aborts the request's signal (the SDK closes the exchange on it).
 * - The web `Request` carries no credentials (`Authorization`, `DPoP`, `Cookie`): the bearer check
 *   in front verified them and hands the SDK the resulting `AuthInfo` (`req.auth`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AuthInfo, isJsonContentType, type McpHttpHandler } from '@modelcontextprotocol/server';

/** What the adapter learnt about a request, for the server factory (keyed by the web `Request`). */
export interface Exchange {
  /** The parsed JSON-RPC body, when the SDK was given it parsed. */
  message?: unknown;
  /** The Node request (its trace context, see `requestTrace`). */
  req: IncomingMessage;
}

const exchanges = new WeakMap<Request, Exchange>();

/** The exchange behind a web `Request` this adapter built (undefined for any other request). */
export function exchangeOf(request: Request | undefined): Exchange | undefined {
  return request ? exchanges.get(request) : undefined;
}

const tooLarge = (max: number) =>
  Response.json(
    { jsonrpc: '2.0', error: { code: -32000, message: `Payload Too Large: Request body must not exceed ${max} bytes` }, id: null },
    { status: 413, headers: { connection: 'close' } },
  );

/** The whole body, or undefined when it exceeds `max` bytes (declared or received). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length']) > max) return undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    received += chunk.byteLength;
    if (received > max) return undefined;
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/**
 * The request's headers for the SDK, without the credentials: the bearer check already verified
 * them, and the SDK gets the verified `AuthInfo` instead.
 */
const CREDENTIALS = new Set(['authorization', 'dpop', 'cookie']);

function webHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':') || CREDENTIALS.has(name)) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

async function writeResponse(response: Response, res: ServerResponse, aborted: AbortSignal): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (response.body === null) {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  if (!/^\s*text\/event-stream/i.test(response.headers.get('content-type') ?? '')) {
    const body = Buffer.from(await response.arrayBuffer());
    headers['content-length'] = String(body.byteLength);
    res.writeHead(response.status, headers);
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  let drained: (() => void) | undefined;
  res.on('drain', () => drained?.());
  const closed = new Promise<void>((resolve) => aborted.addEventListener('abort', () => resolve(), { once: true }));
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || aborted.aborted) break;
      if (!res.write(value)) await Promise.race([new Promise<void>((resolve) => (drained = resolve)), closed]);
    }
    if (aborted.aborted) await reader.cancel().catch(() => {});
  } catch {
    // the stream ended with an error: end the response as it stands
  }
  res.end();
}

/** Reads and classifies the body, then asks the SDK: its answer, or the 413 for an oversized body. */
async function answer(handler: McpHttpHandler, req: IncomingMessage & { auth?: unknown }, max: number, signal: AbortSignal): Promise<Response> {
  const method = (req.method ?? 'GET').toUpperCase();
  const exchange: Exchange = { req };
  let body: string | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    const bytes = await readBody(req, max);
    if (!bytes) return tooLarge(max);
    if (bytes.byteLength > 0) body = bytes.toString('utf8');
    if (body !== undefined && isJsonContentType(req.headers['content-type'] ?? null)) {
      try {
        exchange.message = JSON.parse(body);
        body = undefined;
      } catch {
        // not JSON: the SDK answers it from the raw body
      }
    }
  }
  const init: RequestInit = { method, headers: webHeaders(req), signal };
  if (body !== undefined) init.body = body;
  const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, init);
  exchanges.set(request, exchange);
  const options: { authInfo?: AuthInfo; parsedBody?: unknown } = {};
  if (req.auth !== undefined) options.authInfo = req.auth as AuthInfo;
  if ('message' in exchange) options.parsedBody = exchange.message;
  return handler.fetch(request, options);
}

export function nodeHttpHandler(handler: McpHttpHandler, maxRequestBodySize: number, onerror: (e: Error) => void) {
  return async function handle(req: IncomingMessage & { auth?: unknown }, res: ServerResponse): Promise<void> {
    let finished = false;
    const abort = new AbortController();
    res.on('close', () => {
      if (!finished) abort.abort();
    });
    if (res.destroyed) abort.abort();
    let response: Response;
    try {
      response = await answer(handler, req, maxRequestBodySize, abort.signal);
    } catch (e) {
      onerror(e instanceof Error ? e : new Error(String(e)));
      response = Response.json({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal server error' }, id: null }, { status: 500 });
    }
    try {
      await writeResponse(response, res, abort.signal);
    } finally {
      finished = true;
    }
  };
}

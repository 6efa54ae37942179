/**
 * Server-sent events (WHATWG HTML §9.2): the one writer for every event stream the apps serve, and
 * the one reader (eventsource-parser) for every stream they follow.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Context } from 'koa';

export interface SseMessage {
  /** Omitted (or `message`) for the default event type. */
  event?: string;
  data: string;
  id?: string;
}

/** One message in the `text/event-stream` format; each line of `data` goes in a `data:` field of its own. */
export function formatSse(message: SseMessage): string {
  const lines = message.data.split(/\r\n|\r|\n/).map((l) => `data: ${l}\n`);
  return `${message.id !== undefined ? `id: ${message.id}\n` : ''}${message.event ? `event: ${message.event}\n` : ''}${lines.join('')}\n`;
}

export interface SseWriter {
  send(message: SseMessage): void;
  /** A comment line (`: text`): keeps the connection alive, carries nothing. */
  comment(text: string): void;
  /** Sends `last` (if any) and ends the response. */
  end(last?: SseMessage): void;
  readonly ended: boolean;
}

export interface OpenSseOptions {
  /** The reconnection time the client should use (the `retry` field), sent first. */
  retryMs?: number;
  /** Interval of the keep-alive comment (default 15 s). */
  pingMs?: number;
}

/**
 * Takes over the Koa response as an event stream: the headers (no caching, no proxy buffering), no
 * socket timeout, a keep-alive comment every `pingMs` until the response closes. Nothing is written
 * after the response has ended.
 */
export function openSse(ctx: Context, options: OpenSseOptions = {}): SseWriter {
  ctx.req.socket.setTimeout(0);
  ctx.req.socket.setNoDelay(true);
  ctx.respond = false;
  const res = ctx.res;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  if (options.retryMs !== undefined) res.write(`retry: ${options.retryMs}\n`);
  const write = (text: string) => {
    if (!res.writableEnded) res.write(text);
  };
  const ping = setInterval(() => write(': ping\n\n'), options.pingMs ?? 15_000);
  ping.unref();
  res.on('close', () => clearInterval(ping));
  return {
    send: (message) => write(formatSse(message)),
    comment: (text) => write(`: ${text}\n\n`),
    end: (last) => {
      clearInterval(ping);
      if (!res.writableEnded) res.end(last ? formatSse(last) : undefined);
    },
    get ended() {
      return res.writableEnded;
    },
  };
}

const asMessage = (m: EventSourceMessage): SseMessage & { event: string } => ({
  event: m.event ?? 'message',
  data: m.data,
  ...(m.id !== undefined ? { id: m.id } : {}),
});

/** The messages of an event stream read from a fetch body, as they arrive; stops when `signal` aborts. */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseMessage & { event: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parsed: Array<SseMessage & { event: string }> = [];
  const parser = createParser({ onEvent: (m) => parsed.push(asMessage(m)) });
  try {
    while (!signal?.aborted) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (parsed.length > 0 && !signal?.aborted) yield parsed.shift() as SseMessage & { event: string };
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The messages of a complete event-stream text (a buffered response body). */
export function parseSse(text: string): Array<SseMessage & { event: string }> {
  const out: Array<SseMessage & { event: string }> = [];
  const parser = createParser({ onEvent: (m) => out.push(asMessage(m)) });
  parser.feed(text);
  // A last message without its closing blank line still counts: the body is complete.
  parser.feed('\n\n');
  return out;
}

/** MCP calls with the official SDK client over Streamable HTTP, with a given bearer token. */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

export async function withMcp<T>(url: string, token: string | undefined, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ name: 'mcp-server-tests', version: '0.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {});
  await client.connect(transport);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** A raw JSON-RPC POST (2025-11-25 era, stateless): status, headers and the parsed body (JSON or SSE). */
export async function rawMcp(url: string, token: string | undefined, message: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(message),
  });
  const text = await res.text();
  let body: unknown = text;
  const data = text
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim())
    .filter(Boolean);
  try {
    body = data.length ? JSON.parse(data[data.length - 1] as string) : text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: JSON-RPC answers are asserted field by field in tests
  return { status: res.status, headers: res.headers, body: body as any };
}

import { describe, expect, it } from 'vitest';
import { readSse } from '../../src/server/sse.ts';

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(enc.encode(x));
      c.close();
    },
  });
}

describe('readSse (WHATWG event-stream parsing)', () => {
  it('parses events split across chunks, comments, ids and multi-line data', async () => {
    const out = [];
    for await (const m of readSse(stream([': connected\n\nid: 1\nevent: fl', 'ow\ndata: {"a":', '1}\n\n', 'data: x\ndata: y\r\n\r\n']))) out.push(m);
    expect(out).toEqual([
      { event: 'flow', data: '{"a":1}', id: '1' },
      { event: 'message', data: 'x\ny' },
    ]);
  });

  it('ignores events without data', async () => {
    const out = [];
    for await (const m of readSse(stream(['event: ping\n\n']))) out.push(m);
    expect(out).toEqual([]);
  });
});

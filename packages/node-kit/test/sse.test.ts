import { describe, expect, it } from 'vitest';
import { formatSse, parseSse, readSse } from '../src/sse.ts';

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(enc.encode(x));
      c.close();
    },
  });
}

describe('readSse (WHATWG HTML §9.2.6 event-stream parsing)', () => {
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

describe('formatSse and parseSse', () => {
  it('writes each line of data as its own field, and reads back what it wrote', () => {
    const text = formatSse({ id: '7', event: 'flow', data: 'a\nb' }) + formatSse({ data: '{"x":1}' });
    expect(text).toBe('id: 7\nevent: flow\ndata: a\ndata: b\n\ndata: {"x":1}\n\n');
    expect(parseSse(text)).toEqual([
      { event: 'flow', data: 'a\nb', id: '7' },
      { event: 'message', data: '{"x":1}' },
    ]);
  });

  it('counts a last message of a complete body without its closing blank line', () => {
    expect(parseSse(': hi\n\nevent: message\ndata: {"result":{}}')).toEqual([{ event: 'message', data: '{"result":{}}' }]);
  });
});

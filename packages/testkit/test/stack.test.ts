import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type StackContext, startStack } from '../src/index.ts';

/** A part that listens on the IdP's port of the block, as the real parts do. */
const listener = (log: string[], name: string) => async (ctx: StackContext) => {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.topology.idp.port + (name === 'second' ? 101 : 0), '127.0.0.1', resolve);
  });
  log.push(`start ${name}`);
  return {
    name,
    close: () =>
      new Promise<void>((resolve) => {
        log.push(`close ${name}`);
        server.close(() => resolve());
      }),
  };
};

describe('startStack', () => {
  it('starts the parts in order on one free port block and data directory, and closes them in reverse', async () => {
    const log: string[] = [];
    const stack = await startStack({ parts: { first: listener(log, 'first'), second: listener(log, 'second') }, manifest: true });
    expect(stack.first.name).toBe('first');
    expect(stack.topology.idp.issuer).toBe(`http://localhost:${stack.basePort}`);
    expect(JSON.parse(readFileSync(`${stack.dataDir}/playground.json`, 'utf8')).idp.issuer).toBe(stack.topology.idp.issuer);
    await stack.close();
    expect(log).toEqual(['start first', 'start second', 'close second', 'close first']);
    expect(existsSync(stack.dataDir)).toBe(false);
  });

  it('takes a fresh block and data directory when a port was taken between the check and the bind', async () => {
    const dirs: string[] = [];
    let attempts = 0;
    const stack = await startStack({
      parts: {
        flaky: async (ctx: StackContext) => {
          dirs.push(ctx.dataDir);
          if (++attempts === 1) throw Object.assign(new Error(`port ${ctx.basePort} is already in use`), { code: 'EADDRINUSE' });
          return { close: async () => {} };
        },
      },
    });
    expect(attempts).toBe(2);
    expect(existsSync(dirs[0] as string)).toBe(false);
    expect(stack.dataDir).toBe(dirs[1]);
    await stack.close();
  });

  it('closes what started when a later part fails, and reports that failure', async () => {
    const log: string[] = [];
    await expect(
      startStack({
        parts: {
          first: listener(log, 'first'),
          broken: async () => {
            throw new Error('no such server');
          },
        },
      }),
    ).rejects.toThrow('no such server');
    expect(log).toEqual(['start first', 'close first']);
  });
});

/**
 * Free loopback ports for a playground: the topology puts the IdP at the base port, the servers at
 * +101…+104, the agent at +200 and the console at +300 (docs/ and @xaa/topology `defaultTopology`).
 */
import { createServer } from 'node:net';

/** Offsets of every port a playground listens on, relative to its base port. */
export const PORT_OFFSETS = [0, 101, 102, 103, 104, 200, 300];

export function portFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/**
 * A base port whose whole block is free right now: in 20000–31999, below Linux's
 * ephemeral range (32768+), so outgoing connections (a browser's, the tests' own) never take ours.
 * Random, so parallel test files rarely pick the same block; a race is retried by `startStack`.
 */
export async function freeBasePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 117) * 100;
    if ((await Promise.all(PORT_OFFSETS.map((o) => portFree(base + o)))).every(Boolean)) return base;
  }
  throw new Error('no free block of loopback ports found');
}

/** Whether a start failed only because a port was taken between the check and the bind. */
export function portTaken(e: unknown): boolean {
  const err = e as { code?: string; name?: string; message?: string; stderr?: string } | undefined;
  return err?.code === 'EADDRINUSE' || /EADDRINUSE|already in use/i.test(`${err?.message ?? ''} ${err?.stderr ?? ''}`);
}

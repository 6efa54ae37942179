import { createServer } from 'node:net';

/** Offsets of every port a playground listens on, relative to its base port (design §3). */
export const PORT_OFFSETS = [0, 101, 102, 103, 104, 200, 300];

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A base port whose whole block is free right now (random, so parallel test files rarely collide). */
export async function freeBasePort(from = 20000, span = 400): Promise<number> {
  for (let attempt = 0; attempt < 30; attempt++) {
    const base = from + Math.floor(Math.random() * span) * 100;
    if ((await Promise.all(PORT_OFFSETS.map((o) => free(base + o)))).every(Boolean)) return base;
  }
  throw new Error('No free block of ports found.');
}

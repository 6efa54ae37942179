import { describe, expect, it } from 'vitest';
import { cpuSnapshot, threadCpuBetween } from '../src/cpu.ts';

describe('CPU by thread', () => {
  it('splits the process CPU between named threads and the rest, never below zero', () => {
    const before = {
      total: 10,
      threads: [
        { name: 'idp', seconds: 2 },
        { name: 'servers', seconds: 5 },
      ],
    };
    const after = {
      total: 16,
      threads: [
        { name: 'idp', seconds: 3 },
        { name: 'servers', seconds: 9 },
      ],
    };
    expect(threadCpuBetween(before, after, 'other')).toEqual([
      { name: 'idp', seconds: 1 },
      { name: 'servers', seconds: 4 },
      { name: 'other', seconds: 1 },
    ]);
    // Readings taken a moment apart may add up to more than the total: the rest is then zero.
    expect(threadCpuBetween(before, { total: 14, threads: after.threads }, 'other').at(-1)).toEqual({ name: 'other', seconds: 0 });
  });

  it.runIf(process.platform === 'linux')('reads this process and its main thread from /proc', () => {
    const snap = cpuSnapshot(process.pid, [
      { name: 'main', tid: process.pid },
      { name: 'gone', tid: 2 ** 30 },
    ]);
    expect(snap?.total).toBeGreaterThan(0);
    // A thread that does not exist is left out, not reported as zero.
    expect(snap?.threads.map((t) => t.name)).toEqual(['main']);
    expect(snap?.threads[0]?.seconds).toBeLessThanOrEqual(snap?.total as number);
    expect(cpuSnapshot(undefined)).toBeUndefined();
  });
});

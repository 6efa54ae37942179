/**
 * CPU time of a process and of each of its threads, from Linux `/proc` (utime + stime; undefined
 * elsewhere). Per thread, the load harness can say which part's event loop is the busy one, and how
 * much of the CPU no part thread accounts for (V8's garbage-collection helpers, libuv's pool).
 */
import { readFileSync } from 'node:fs';

/** A named thread of a process, by its operating-system thread id. */
export interface NamedThread {
  name: string;
  tid: number;
}

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ: 100 on Linux). */
const TICKS = 100;

function statSeconds(path: string): number | undefined {
  try {
    // The command name (in parentheses) may hold spaces: fields are counted after it.
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat (index 11 and 12 after the command name).
    const s = (Number(fields[11]) + Number(fields[12])) / TICKS;
    return Number.isFinite(s) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The whole process's CPU seconds (all threads). */
export function cpuSeconds(pid: number | undefined): number | undefined {
  return pid ? statSeconds(`/proc/${pid}/stat`) : undefined;
}

export interface CpuSnapshot {
  total: number;
  threads: Array<{ name: string; seconds: number }>;
}

/** The process's CPU seconds and each named thread's; undefined when `/proc` cannot say. */
export function cpuSnapshot(pid: number | undefined, threads: readonly NamedThread[] = []): CpuSnapshot | undefined {
  const total = cpuSeconds(pid);
  if (total === undefined) return undefined;
  const named: CpuSnapshot['threads'] = [];
  for (const t of threads) {
    const seconds = statSeconds(`/proc/${pid}/task/${t.tid}/stat`);
    if (seconds !== undefined) named.push({ name: t.name, seconds });
  }
  return { total, threads: named };
}

export interface ThreadCpu {
  name: string;
  /** CPU seconds used between the two snapshots. */
  seconds: number;
}

/**
 * What each named thread used between two snapshots, then the rest of the process under
 * `otherName` (never below zero: the two readings are not atomic).
 */
export function threadCpuBetween(before: CpuSnapshot, after: CpuSnapshot, otherName: string): ThreadCpu[] {
  const out: ThreadCpu[] = [];
  for (const t of after.threads) {
    const start = before.threads.find((b) => b.name === t.name);
    if (start) out.push({ name: t.name, seconds: Math.max(0, t.seconds - start.seconds) });
  }
  const named = out.reduce((a, t) => a + t.seconds, 0);
  out.push({ name: otherName, seconds: Math.max(0, after.total - before.total - named) });
  return out;
}

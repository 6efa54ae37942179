/**
 * Resident memory of a process and every process below it (Linux /proc): the sum of VmRSS over the
 * tree, the figure `ps`/`top` show per process added up. Shared pages (the node binary's text) count
 * once per process, as they do in those tools. Undefined where /proc is not readable.
 */
import { readdirSync, readFileSync } from 'node:fs';

function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`))
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim()) out.push(Number(c));
  } catch {
    // the process ended meanwhile
  }
  return out;
}

function rssKb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** MB resident in `pid`'s process tree, or undefined without /proc. */
export function treeRssMb(pid: number | undefined): number | undefined {
  if (!pid || rssKb(pid) === 0) return undefined;
  let total = 0;
  const todo = [pid];
  for (let p = todo.pop(); p !== undefined; p = todo.pop()) {
    total += rssKb(p);
    todo.push(...children(p));
  }
  return total / 1024;
}

/**
 * Where the server's time goes: a V8 CPU profile (`--cpu-prof`) of the playground process, summarised
 * by package (self time) and by function.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** `node_modules/.pnpm/koa@3.0.0/node_modules/koa/lib/x.js` → `koa`; our sources → `apps/idp` etc. */
export function category(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node internals';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const ours = /\/(apps|packages)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url.replace(/^file:\/\//, '');
}

/**
 * One profile, or the profiles of every thread of the process (the IdP and the servers run in worker
 * threads; `--cpu-prof` writes one file per thread): self time summed across them. Idle time is
 * left out, so the percentages are of the time the threads worked.
 */
export function summariseProfile(profiles: CpuProfile | CpuProfile[], top = 15) {
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const p of Array.isArray(profiles) ? profiles : [profiles]) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    p.samples.forEach((id, i) => {
      self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
    });
    for (const [id, us] of self) {
      const n = byId.get(id);
      if (!n || n.callFrame.functionName === '(idle)') continue;
      const c = category(n.callFrame.url, n.callFrame.functionName);
      cats.set(c, (cats.get(c) ?? 0) + us);
      const f = `${n.callFrame.functionName || '(anonymous)'} ${c}:${n.callFrame.lineNumber + 1}`;
      fns.set(f, (fns.get(f) ?? 0) + us);
    }
  }
  const total = [...cats.values()].reduce((a, b) => a + b, 0) || 1;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((us / total) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), byPackage: rank(cats), byFunction: rank(fns) };
}

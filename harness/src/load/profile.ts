/**
 * Where the server's time goes: a V8 CPU profile (`--cpu-prof`) of the playground process, summarised
 * by package (self time), by module and by function. Under `--bundle` every frame's URL is the one
 * bundle file; its esbuild module comments (`// apps/idp/src/audit.ts`) map each line back to the
 * module and package it came from.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

/**
 * The modules of an esbuild bundle by first line: esbuild (unminified) writes `// <path>` before each
 * module's code. Lines are 0-based, as a profile's `lineNumber`.
 */
export class BundleMap {
  private readonly starts: number[] = [];
  private readonly paths: string[] = [];

  constructor(source: string) {
    const lines = source.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const m = /^\/\/ ((?:\.\.\/)*(?:node_modules|apps|packages|bench|harness)\/\S+\.(?:[cm]?[jt]s|json))$/.exec(lines[i] as string);
      if (m) {
        this.starts.push(i);
        this.paths.push((m[1] as string).replace(/^(\.\.\/)+/, ''));
      }
    }
  }

  static read(url: string): BundleMap | undefined {
    try {
      return new BundleMap(readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** The module a bundle line belongs to (a path as the bundle names it), or undefined before the first. */
  moduleAt(line: number): string | undefined {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] as number) <= line) {
        found = this.paths[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

/** A frame's source: its URL, or under a bundle the module the line came from (as a file path). */
function sourceOf(url: string, line: number, bundles: Map<string, BundleMap | undefined>): string {
  if (!/\/dist\/(chunks\/)?[^/]+\.mjs$/.test(url)) return url;
  if (!bundles.has(url)) bundles.set(url, BundleMap.read(url));
  const mod = bundles.get(url)?.moduleAt(line);
  return mod ? `/${mod}` : url;
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
  const mods = new Map<string, number>();
  const fns = new Map<string, number>();
  const bundles = new Map<string, BundleMap | undefined>();
  for (const p of Array.isArray(profiles) ? profiles : [profiles]) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    p.samples.forEach((id, i) => {
      self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
    });
    for (const [id, us] of self) {
      const n = byId.get(id);
      if (!n || n.callFrame.functionName === '(idle)') continue;
      const source = sourceOf(n.callFrame.url, n.callFrame.lineNumber, bundles);
      const c = category(source, n.callFrame.functionName);
      cats.set(c, (cats.get(c) ?? 0) + us);
      const m = moduleName(source, c);
      mods.set(m, (mods.get(m) ?? 0) + us);
      const f = `${n.callFrame.functionName || '(anonymous)'} ${m}:${n.callFrame.lineNumber + 1}`;
      fns.set(f, (fns.get(f) ?? 0) + us);
    }
  }
  const total = [...cats.values()].reduce((a, b) => a + b, 0) || 1;
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), percent: Math.round((us / total) * 1000) / 10 }));
  return { totalMs: Math.round(total / 1000), byPackage: rank(cats), byModule: rank(mods), byFunction: rank(fns) };
}

/** `…/node_modules/.pnpm/x/node_modules/koa/lib/application.js` → `koa/lib/application.js`; ours → `apps/idp/src/audit.ts`. */
function moduleName(source: string, cat: string): string {
  const nm = source.lastIndexOf('/node_modules/');
  if (nm >= 0) return source.slice(nm + '/node_modules/'.length);
  const ours = /\/((?:apps|packages)\/.+)$/.exec(source);
  return ours ? (ours[1] as string) : cat;
}

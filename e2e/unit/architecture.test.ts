/**
 * Architecture pins for the whole workspace: the protocol core stays runtime-neutral, workspaces meet
 * only through their package exports, the services never import one another (they talk HTTP,
 * docs/decisions.md §1), and no source file outgrows 400 lines unless it is a data table. Each rule
 * reads the sources as text, so a violation names file and import (or file and length).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** The workspace folders named by pnpm-workspace.yaml (`dir/*` globs and plain folders). */
function workspaces(): string[] {
  const yaml = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\n((?:\s+-\s+.+\n)+)/m.exec(yaml)?.[1] ?? '';
  return [...block.matchAll(/-\s+['"]?([^'"\n]+)['"]?/g)].flatMap((m) => {
    const pattern = (m[1] as string).trim();
    if (!pattern.endsWith('/*')) return [join(ROOT, pattern)];
    const parent = join(ROOT, pattern.slice(0, -2));
    return readdirSync(parent)
      .map((name) => join(parent, name))
      .filter((p) => statSync(p).isDirectory() && readdirSync(p).includes('package.json'));
  });
}

const SKIP = new Set(['node_modules', 'dist', '.data', 'screenshots', 'recordings']);
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith('.')) return [];
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) ? [p] : [];
  });
}

/** Every module specifier in a file: static imports and re-exports, side-effect imports, import() and require(). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1] as string));
}

const ALL = workspaces();

/** A test, a test fixture or an end-to-end spec: not held to the source-file length limit. */
const isTestFile = (path: string) => /(^|[\\/])(test|tests|specs|fixtures)[\\/]/.test(path) || /\.(test|spec)\.[cm]?[jt]sx?$/.test(path);
const lineCount = (file: string) => {
  const text = readFileSync(file, 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
};

/** Longest non-test source file, in lines: past this a module usually holds more than one idea. */
const MAX_SOURCE_LINES = 400;

/**
 * Source files allowed over the limit because they are data tables: a catalogue read top to bottom,
 * one entry per case, rule or schema, where splitting would only scatter the list. Logic does not
 * belong in them (it lives in the modules beside them). Each entry says what the table is.
 */
const DATA_TABLES: Record<string, string> = {
  // AS_CASES: one entry per AS scorecard case (what it changes, the answer it expects, why, the clause);
  // the case shape and verdict helpers are in case.ts.
  'packages/scorecard/src/as/cases.ts': 'the AS scorecard case catalogue',
  // ID_JAG_CLAIM_DOCS and one finding per lint rule (rule id, level, title, detail, clause), in the
  // order a reader checks a token (header, registered claims, times, optional claims).
  'packages/protocol/src/id-jag/lint.ts': 'the ID-JAG lint rules and claim documentation',
  // The IdP admin API's request and response schemas (zod), one per route and record.
  'packages/admin-contracts/src/idp.ts': "the IdP admin API's schemas",
};

/**
 * Source files over the limit that are not tables and are being split in work under way on their
 * package (issue 13). Remove each entry with its split; the test below fails once an entry is
 * under the limit, so the list cannot outlive the work.
 */
const PENDING_SPLIT: Record<string, string> = {};
const workspaceOf = (path: string) => ALL.filter((w) => path === w || path.startsWith(w + sep)).sort((a, b) => b.length - a.length)[0];
const rel = (p: string) => relative(ROOT, p);
const packageName = (w: string) => (JSON.parse(readFileSync(join(w, 'package.json'), 'utf8')) as { name: string }).name;

describe('workspace architecture', () => {
  it('finds the workspaces', () => {
    expect(ALL.map(rel)).toEqual(expect.arrayContaining(['packages/protocol', 'apps/idp', 'apps/mcp-server', 'e2e', 'harness', 'bench']));
  });

  it('packages/protocol imports no node:* module and no Node built-in (a runtime-neutral core)', () => {
    const builtins = new Set(builtinModules);
    const bad = sources(join(ROOT, 'packages/protocol/src')).flatMap((f) =>
      specifiers(f)
        .filter((s) => s.startsWith('node:') || builtins.has(s.split('/')[0] as string))
        .map((s) => `${rel(f)} → ${s}`),
    );
    expect(bad).toEqual([]);
  });

  it("nothing imports another workspace's files by relative path (only through its package exports)", () => {
    const bad = ALL.flatMap((w) =>
      sources(w).flatMap((f) =>
        specifiers(f)
          .filter((s) => s.startsWith('.'))
          .filter((s) => {
            const target = resolve(dirname(f), s);
            return workspaceOf(target) !== w && target.startsWith(ROOT);
          })
          .map((s) => `${rel(f)} → ${s}`),
      ),
    );
    expect(bad).toEqual([]);
  });

  it('the services never import one another; only the launcher (apps/cli) composes them', () => {
    const services = ['apps/idp', 'apps/mcp-server', 'apps/mcp-client', 'apps/console'].map((a) => join(ROOT, a));
    const names = new Map(services.map((s) => [s, packageName(s)]));
    const bad = services.flatMap((app) => {
      const others = services.filter((o) => o !== app).map((o) => names.get(o) as string);
      const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
      const declared = Object.keys(manifest.dependencies ?? {})
        .filter((d) => others.includes(d))
        .map((d) => `${rel(app)}/package.json depends on ${d}`);
      const imported = sources(join(app, 'src')).flatMap((f) =>
        specifiers(f)
          .filter((s) => others.some((o) => s === o || s.startsWith(`${o}/`)))
          .map((s) => `${rel(f)} → ${s}`),
      );
      return [...declared, ...imported];
    });
    expect(bad).toEqual([]);
  });

  it('cites only public clauses and documents inside the repository (no design-brief, digest or style-guide sections)', () => {
    const outside = /\bdesign\s§|\bspec\sdigest\b|\bdigest\s§|\bstyle\sP\d/;
    const docs = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        if (SKIP.has(name) || name.startsWith('.')) return [];
        const p = join(dir, name);
        if (statSync(p).isDirectory()) return docs(p);
        return /\.(md|css|html)$/.test(name) ? [p] : [];
      });
    const files = [...ALL.flatMap((w) => [...sources(w), ...docs(w)]), join(ROOT, 'README.md'), ...docs(join(ROOT, 'docs'))];
    const bad = files.filter((f) => !f.endsWith('architecture.test.ts') && outside.test(readFileSync(f, 'utf8'))).map(rel);
    expect(bad).toEqual([]);
  });

  it(`no non-test source file is over ${MAX_SOURCE_LINES} lines unless it is a listed data table`, () => {
    const allowed = new Set([...Object.keys(DATA_TABLES), ...Object.keys(PENDING_SPLIT)]);
    const long = ALL.flatMap((w) => sources(w))
      .filter((f) => !isTestFile(rel(f)))
      .map((f) => ({ file: rel(f).split(sep).join('/'), lines: lineCount(f) }))
      .filter((f) => f.lines > MAX_SOURCE_LINES);
    expect(long.filter((f) => !allowed.has(f.file)).map((f) => `${f.file}: ${f.lines} lines`)).toEqual([]);
    // The allow-lists name only files that exist and still need the exemption.
    const stale = [...allowed].filter((f) => !long.some((l) => l.file === f));
    expect(stale, 'allow-listed but missing or now under the limit: remove the entry').toEqual([]);
  });
});

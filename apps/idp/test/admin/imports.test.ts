/**
 * The admin API's modules form no import circle: the routes, the router and the OpenAPI document
 * all take their schemas from @xaa/admin-contracts, and the route modules take their deps type from
 * common.ts, never from the router that mounts them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ADMIN = join(import.meta.dirname, '../../src/admin');

function localImports(file: string): string[] {
  const text = readFileSync(join(ADMIN, file), 'utf8');
  return [...text.matchAll(/from '\.\/([\w.-]+\.ts)'/g)].map((m) => m[1] as string);
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, path: string[]) => {
    for (const next of graph.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next]);
      else visit(next, [...path, next]);
    }
  };
  for (const node of graph.keys()) visit(node, [node]);
  return found;
}

describe('apps/idp/src/admin', () => {
  const files = readdirSync(ADMIN).filter((f) => f.endsWith('.ts'));
  const graph = new Map(files.map((f) => [f, localImports(f)]));

  it('has no import circle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('no route module imports the router or the OpenAPI document', () => {
    for (const [file, imports] of graph) {
      if (file === 'router.ts') continue;
      expect(imports, file).not.toContain('router.ts');
      if (file !== 'openapi.ts') expect(imports, file).not.toContain('openapi.ts');
    }
  });
});

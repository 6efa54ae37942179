/**
 * Runs the malformed-input corpus against every endpoint of every app and judges each answer: no
 * 5xx, an answer within the per-request timeout, no marker reflected unescaped into an HTML page; and
 * afterwards the playground is still up and still works.
 */
import { performance } from 'node:perf_hooks';
import { HttpTimeout, keepAliveAgent, send } from '../http.ts';
import { runPool } from '../pool.ts';
import type { Check, HarnessResult } from '../report.ts';
import { type EndpointSpec, endpointCorpus, type FuzzRequest, randomCorpus, reflectsMarker, type Samples } from './corpus.ts';

export interface FuzzPlan {
  endpoints: EndpointSpec[];
  /** Origins that also get unstructured random requests. */
  origins: Array<{ app: string; origin: string }>;
  samples: Samples;
}

export interface FuzzOptions {
  mode: 'quick' | 'full';
  seed: number;
  /** Requests per endpoint. */
  perEndpoint: number;
  /** Random requests per origin. */
  randomPerOrigin: number;
  concurrency: number;
  timeoutMs: number;
  /** Stop early after this many failures (the report keeps the first ones). */
  maxFailures?: number;
  /** Called after the corpus has run: is the playground still healthy? */
  health: () => Promise<Check[]>;
  /** Whether the server process is still running (checked during the run). */
  alive: () => boolean;
}

/** RFC 9110 §9 methods (plus PATCH, RFC 5789): a 5xx for any of these is a failure. */
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

export interface FuzzFailure {
  kind: 'server error' | 'hang' | 'reflected' | 'process died';
  endpoint: string;
  index: number;
  mutation: string;
  method: string;
  url: string;
  status?: number;
  detail: string;
  /** The request as sent (header values and body cut to 300 characters), to reproduce by hand. */
  request?: { headers: Record<string, string | string[]>; body?: string };
}

/** How to reproduce one request: `endpointCorpus(endpoint, samples, index+1, seedFor(seed, endpoint))[index]`. */
export function seedFor(seed: number, endpoint: string): number {
  let h = seed | 0;
  for (const ch of endpoint) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h >>> 0;
}

export async function runFuzz(plan: FuzzPlan, o: FuzzOptions): Promise<HarnessResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const agent = keepAliveAgent(o.concurrency * 2);
  const failures: FuzzFailure[] = [];
  const statusByApp: Record<string, Record<string, number>> = {};
  const perEndpoint: Record<string, number> = {};
  const dropped: Record<string, number> = {};
  /** Connections the server closed without an answer, by error code and mutation (oversized bodies, mostly). */
  const droppedBy: Record<string, number> = {};
  let requests = 0;
  let unknownMethod501 = 0;
  let htmlChecked = 0;
  let slowest = 0;
  const maxFailures = o.maxFailures ?? 200;

  const judge = async (r: FuzzRequest) => {
    requests++;
    perEndpoint[r.endpoint] = (perEndpoint[r.endpoint] ?? 0) + 1;
    const cut = (v: string) => v.slice(0, 300);
    const request = {
      headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, Array.isArray(v) ? v.map(cut) : cut(v)])),
      ...(r.body ? { body: cut(r.body.toString('utf8')) } : {}),
    };
    const base = { endpoint: r.endpoint, index: r.index, mutation: r.mutation, method: r.method, url: r.url.slice(0, 300), request };
    try {
      const res = await send(r.url, { method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}), timeoutMs: o.timeoutMs, agent });
      slowest = Math.max(slowest, res.ms);
      statusByApp[r.app] ??= {};
      const byApp = statusByApp[r.app] as Record<string, number>;
      const bucket = `${Math.floor(res.status / 100)}xx`;
      byApp[bucket] = (byApp[bucket] ?? 0) + 1;
      // RFC 9110 §15.6.2: 501 is the right answer to a method the server does not recognise (PROPFIND…).
      if (res.status === 501 && !STANDARD_METHODS.has(r.method)) unknownMethod501++;
      else if (res.status >= 500) failures.push({ ...base, kind: 'server error', status: res.status, detail: res.body.slice(0, 300) });
      if (String(res.headers['content-type'] ?? '').includes('text/html')) {
        htmlChecked++;
        const hit = reflectsMarker(res.body, r.markers);
        if (hit) {
          const at = res.body.indexOf(hit);
          failures.push({ ...base, kind: 'reflected', status: res.status, detail: res.body.slice(Math.max(0, at - 120), at + 60) });
        }
      }
    } catch (e) {
      if (e instanceof HttpTimeout) failures.push({ ...base, kind: 'hang', detail: e.message });
      else {
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        dropped[code] = (dropped[code] ?? 0) + 1;
        const why = `${code}: ${r.mutation.replace(/ \(.*$/, '')}`;
        droppedBy[why] = (droppedBy[why] ?? 0) + 1;
        if (!o.alive()) failures.push({ ...base, kind: 'process died', detail: String(code) });
      }
    }
  };

  const stop = () => failures.length >= maxFailures || !o.alive();
  for (const ep of plan.endpoints) {
    if (stop()) break;
    const corpus = endpointCorpus(ep, plan.samples, o.perEndpoint, seedFor(o.seed, ep.name));
    await runPool(corpus, o.concurrency, judge, stop);
  }
  for (const { app, origin } of plan.origins) {
    if (stop()) break;
    await runPool(randomCorpus(origin, app, o.randomPerOrigin, seedFor(o.seed, `${app} random`)), o.concurrency, judge, stop);
  }
  agent.destroy();

  const health = o.alive() ? await o.health() : [{ name: 'server process alive', ok: false, detail: 'the playground process exited during the run' }];
  const kinds = (k: FuzzFailure['kind']) => failures.filter((f) => f.kind === k);
  const checks: Check[] = [
    {
      name: 'no 5xx',
      ok: kinds('server error').length === 0,
      detail: `${kinds('server error').length} responses ≥ 500 (501 for an unrecognised method excepted)`,
    },
    { name: `no hang (per-request timeout ${o.timeoutMs} ms)`, ok: kinds('hang').length === 0, detail: `${kinds('hang').length} timeouts` },
    {
      name: 'nothing reflected unescaped into HTML',
      ok: kinds('reflected').length === 0,
      detail: `${htmlChecked} HTML responses checked, ${kinds('reflected').length} reflected a marker`,
    },
    { name: 'server process survived', ok: kinds('process died').length === 0 && o.alive() },
    ...health,
  ];
  return {
    harness: 'fuzz',
    mode: o.mode,
    startedAt,
    durationMs: performance.now() - started,
    figures: [
      { name: 'requests', value: requests, target: o.mode === 'full' ? '≥ 10000' : '' },
      { name: 'endpoints', value: plan.endpoints.length },
      { name: 'origins (random requests)', value: plan.origins.length },
      { name: 'seed', value: o.seed },
      { name: 'slowest answer', value: slowest, unit: 'ms' },
      { name: '501 for an unrecognised method (RFC 9110 §15.6.2)', value: unknownMethod501 },
      { name: 'connections dropped by server', value: Object.values(dropped).reduce((a, b) => a + b, 0) },
      ...Object.entries(statusByApp).map(([app, s]) => ({
        name: `${app} statuses`,
        value: Object.entries(s)
          .sort()
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      })),
    ],
    checks,
    details: { seed: o.seed, failures: failures.slice(0, 100), perEndpoint, statusByApp, dropped, droppedBy },
  };
}

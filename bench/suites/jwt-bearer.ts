/**
 * jwt-bearer grant (ID-JAG → access token) throughput at a sample server's AS, against the same AS's
 * client_credentials grant in the same run. Both authenticate the client (client_secret_basic) and
 * sign one ES256 access token; the jwt-bearer grant also verifies the ID-JAG (signature with the
 * trusted IdP's cached JWKS, the ordered checks), records its jti (single use, one SQLite INSERT),
 * maps the subject and emits ~17 flow events. ID-JAGs are pre-minted before the timed loop (each is
 * single-use) by a bench IdP key the AS trusts. The two sides run in alternating slices. Target: jwt-bearer / client_credentials ≥ 0.6.
 */
import { interleaved } from '../interleave.ts';
import type { BenchSuite, Measurement } from '../measure.ts';
import { startTasksWithBenchIdp } from '../support/tasks-with-bench-idp.ts';

const suite: BenchSuite = async (ctx) => {
  const bench = await startTasksWithBenchIdp(ctx);
  const { tasks, basicAuth: authorization } = bench;
  try {
    const post = async (form: Record<string, string>) => {
      const res = await fetch(`${tasks.issuer}/token`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
    };

    // Pre-mint single-use ID-JAGs (minting is the IdP's cost, not the AS's).
    const pool = ctx.quick ? 8_000 : 40_000;
    const jags: string[] = [];
    for (let i = 0; i < pool; i++) {
      jags.push(await bench.mint({ sub: `bench-user-${i % 50}`, email: `bench${i % 50}@acme.test`, ttl: 600 }));
    }
    let next = 0;
    const jwtBearer = () => {
      const assertion = jags[next++];
      if (!assertion) return Promise.reject(new Error('ID-JAG pool exhausted'));
      return post({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    };
    const clientCredentials = () => post({ grant_type: 'client_credentials', scope: 'tasks.read' });

    const [jb, cc] = (await interleaved(
      [
        { name: 'jwt-bearer (ID-JAG → access token)', fn: jwtBearer, maxCalls: pool - 200 },
        { name: 'client_credentials (JWT access token)', fn: clientCredentials },
      ],
      { concurrency: ctx.concurrency, durationMs: ctx.durationMs, warmupCalls: 50, rounds: ctx.quick ? 2 : 5 },
    )) as [Measurement, Measurement];
    return {
      suite: 'jwt-bearer',
      measurements: [jb, cc],
      ratios: [{ name: 'jwt-bearer / client_credentials', value: jb.throughput / cc.throughput, target: 0.6, higherIsBetter: true }],
    };
  } finally {
    await bench.close();
  }
};

export default suite;

/**
 * Token exchange → ID-JAG at the IdP against a peer people reach for when they need "an OAuth server":
 * oauth2-mock-server minting client_credentials access tokens (RFC 6749 §4.4), run in its own Node
 * process as its published JavaScript; the IdP in another, bench/support/idp-process.ts bundled as
 * `npm start` bundles it and run by plain Node (not through the TypeScript loader, which cost it about
 * 5 % more CPU per exchange). Measured in the same run in alternating slices. Both sides sign one
 * ES256 JWT per request (the mock is given an ES256 key, so the comparison is not RSA against ECDSA). The mock checks no
 * client credential and no policy; the exchange authenticates the client (client_secret_basic),
 * verifies the subject ID token, checks the user is still active, evaluates the connection policy and
 * records its flow events. Every non-200 answer is a counted failure. Each side first runs at the
 * measured concurrency until its throughput is steady (bench/interleave.ts `warmUp`): in its first
 * seconds the IdP, with far more code for V8 to optimise, answers at about half its steady rate.
 * Target (issue 17): token-exchange / oauth2-mock-server ≥ 1.0 (aim 1.5), 0 failed requests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cpuSeconds } from '@xaa/testkit';
import type { Topology } from '@xaa/topology';
import { ssoLogin } from '@xaa/user-agent';
import { interleaved } from '../interleave.ts';
import type { BenchSuite, Measurement } from '../measure.ts';
import { bundleIdpProcess } from '../support/idp-bundle.ts';

/** Spawn a Node server process and resolve once `ready(stdout so far)` returns a value. */
function spawnServer<T>(args: string[], ready: (out: string) => T | undefined): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${args.join(' ')}: not ready within 30 s`));
    }, 30_000);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const info = ready(out);
      if (info === undefined) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data').resume();
      resolve({ child, info });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code})`)));
  });
}

/** oauth2-mock-server's own CLI (its `bin`) on a free loopback port, with an ES256 signing key. */
function startMock(dataDir: string) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwkFile = join(dataDir, 'mock-es256.json');
  writeFileSync(jwkFile, JSON.stringify({ ...privateKey.export({ format: 'jwk' }), alg: 'ES256', kid: 'bench-es256', use: 'sig' }));
  const cli = join(dirname(createRequire(import.meta.url).resolve('oauth2-mock-server')), 'oauth2-mock-server.mjs');
  return spawnServer([cli, '-a', '127.0.0.1', '-p', '0', '--jwk', jwkFile], (out) => /listening on (http:\/\/[^\s]+)/.exec(out)?.[1]);
}

/** The IdP in its own process (bench/support/idp-process.ts), bundled and run by plain Node. */
async function startIdp(dataDir: string, profileDir: string | undefined) {
  const script = await bundleIdpProcess(dataDir);
  const prof = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  return spawnServer([...prof, script, dataDir], (out) => {
    const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
    return line ? (JSON.parse(line) as { issuer: string; topology: Topology }) : undefined;
  });
}

const suite: BenchSuite = async (ctx) => {
  const mock = await startMock(ctx.dataDir);
  const idpProcess = await startIdp(ctx.dataDir, ctx.profileDir).catch((e) => {
    mock.child.kill('SIGINT');
    throw e;
  });
  const { issuer, topology } = idpProcess.info;
  const idp = { issuer };
  try {
    const agent = topology.clients.find((c) => c.name === 'acme-agent');
    const tasks = topology.servers.find((s) => s.name === 'tasks');
    if (!agent || !tasks) throw new Error('topology without acme-agent or tasks');
    const { tokens } = await ssoLogin({
      issuer: idp.issuer,
      clientId: agent.idp.client_id,
      clientSecret: agent.idp.client_secret,
      redirectUri: agent.idp.redirect_uris[0] as string,
      username: 'alice',
      password: 'demo',
    });
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
    const post = async (url: string, authorization: string, form: Record<string, string>) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      const body = (await res.json()) as { access_token?: string; error?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`${res.status} ${body.error ?? ''}`);
    };
    const exchangeAuth = basic(agent.idp.client_id, agent.idp.client_secret);
    const exchange = () =>
      post(`${idp.issuer}/token`, exchangeAuth, {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        requested_token_type: 'urn:ietf:params:oauth:token-type:id-jag',
        subject_token: tokens.id_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        audience: tasks.issuer,
        resource: tasks.resource,
        scope: 'tasks.read',
      });
    const mockAuth = basic('bench-client', 'bench-secret');
    const mockClientCredentials = () => post(`${mock.info}/token`, mockAuth, { grant_type: 'client_credentials', scope: 'tasks.read', aud: tasks.resource });

    let cpu0: Array<number | undefined> = [];
    const [tx, mk] = (await interleaved(
      [
        { name: 'token-exchange → ID-JAG', fn: exchange },
        { name: 'oauth2-mock-server client_credentials', fn: mockClientCredentials },
      ],
      {
        concurrency: ctx.concurrency,
        durationMs: ctx.durationMs,
        warmupCalls: 50,
        rounds: ctx.quick ? 2 : 5,
        afterWarmup: () => {
          cpu0 = [cpuSeconds(idpProcess.child.pid), cpuSeconds(mock.child.pid)];
        },
      },
    )) as [Measurement, Measurement];
    // Each server works only in its own slices: its CPU over the measured rounds per request.
    const cpu1 = [cpuSeconds(idpProcess.child.pid), cpuSeconds(mock.child.pid)];
    const cpuMs = (i: number, calls: number) => (((cpu1[i] ?? Number.NaN) - (cpu0[i] ?? Number.NaN)) * 1000) / calls;
    const txCpu = cpuMs(0, tx.calls);
    const mkCpu = cpuMs(1, mk.calls);
    return {
      suite: 'token-exchange-vs-mock',
      measurements: [tx, mk],
      ratios: [
        { name: 'token-exchange / oauth2-mock-server', value: tx.throughput / mk.throughput, target: 1.0, higherIsBetter: true },
        { name: 'server CPU per request, exchange / mock', value: txCpu / mkCpu, higherIsBetter: false },
      ],
      figures: [
        { name: 'failed requests (both sides)', value: tx.errors + mk.errors, unit: 'requests', target: 1 },
        { name: 'IdP CPU per token exchange', value: txCpu, unit: 'ms' },
        { name: 'oauth2-mock-server CPU per client_credentials', value: mkCpu, unit: 'ms' },
      ],
    };
  } finally {
    mock.child.kill('SIGINT');
    idpProcess.child.kill('SIGTERM');
    await new Promise((done) => idpProcess.child.once('exit', done));
  }
};

export default suite;
